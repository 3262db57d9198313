import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Code, ConnectError } from '@connectrpc/connect';
import { ShipmentStatus } from '@oms/contracts/shipping/v1';
import { startTemporalDevServer } from '@oms/testing';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities, type Activities, type ActivityDeps, type ShippingProgress } from '../src/activities';
import type { OrderTrackingWorkflow, OrderWorkflow } from '../src/workflows';
import {
  cancelOrderSignal,
  orderDeliveredSignal,
  orderWorkflowId,
  statusQuery,
  trackingWorkflowId,
  type TrackingInput,
} from '@oms/contracts/workflows';
import { fakeActivities, Gate, type Calls } from './fake-activities';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  [env, bundle] = await Promise.all([
    startTemporalDevServer(),
    bundleWorkflowCode({ workflowsPath: fileURLToPath(new URL('../src/workflows/index.ts', import.meta.url)), logger: undefined }),
  ]);
});

afterAll(async () => {
  await env?.teardown();
});

/** Waits until `check` holds, polling. */
async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await sleep(20);
}

const newOrderId = () => String(Math.floor(Math.random() * 1e9));

/** Runs `fn` while a worker with these activities polls a fresh task queue. */
async function withWorker<T>(activities: Activities, fn: (taskQueue: string, finished: string[]) => Promise<T>): Promise<T> {
  const taskQueue = `test-${randomUUID()}`;
  const finished: string[] = [];
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    activities,
    sinks: { orderMetrics: { finished: { fn: (_info, status: string) => void finished.push(status) } } },
    // Activities without a heartbeat timeout (the gated fakes) heartbeat promptly, so cancellation reaches them.
    defaultHeartbeatThrottleInterval: '20 ms',
  });
  return worker.runUntil(fn(taskQueue, finished));
}

interface RunOptions {
  paymentToken?: string;
  /** Runs alongside the workflow (to signal, query or cancel it); its failure fails the test. */
  drive?: (handle: WorkflowHandle<typeof OrderWorkflow>) => Promise<void>;
}

/**
 * Runs OrderWorkflow to its end on a worker with these activities; returns
 * its outcome, the `status` query's answer after the end, and how the
 * execution closed.
 */
async function runOrder(activities: Activities, options: RunOptions = {}) {
  const orderId = newOrderId();
  return withWorker(activities, async (taskQueue, finished) => {
    const handle = await env.client.workflow.start<typeof OrderWorkflow>('OrderWorkflow', {
      taskQueue,
      workflowId: orderWorkflowId(orderId),
      args: [{ orderId, paymentToken: options.paymentToken ?? 'tok_success', deliveryTimeoutMs: 1_000 }],
    });
    const [outcome] = await Promise.all([handle.result(), options.drive?.(handle)]);
    const status = await handle.query(statusQuery);
    const closedAs = (await handle.describe()).status.name;
    return { orderId, outcome, status, closedAs, finished };
  });
}

const declined = () => ApplicationFailure.nonRetryable('card declined: insufficient funds', 'PaymentDeclinedError');

// The forward steps' calls, as fakeActivities records them.
const throughCharge = ['validateOrder', 'checkFraud', 'reserveStock', 'setOrderStatus(VALIDATED,RESERVED)', 'chargePayment(tok_success)'];
const throughShipping = [...throughCharge, 'setOrderStatus(RESERVED,PAID)', 'commitStock', 'setOrderStatus(PAID,SHIPPING)', 'arrangeShipping'];

describe('OrderWorkflow', () => {
  it('runs the happy path in order and completes', async () => {
    const calls: Calls = [];
    const { outcome, status, finished } = await runOrder(fakeActivities(calls));
    expect(outcome).toMatchObject({ status: 'COMPLETED', trackingNumber: 'SIM-TRACK' });
    expect(calls).toEqual([...throughShipping, 'setOrderStatus(SHIPPING,COMPLETED)']);
    expect(status).toMatchObject({ currentStep: 'done', compensationsRun: [], outcome });
    expect(finished).toEqual(['COMPLETED']);
  });

  it('a declined charge is compensated: the refund finds nothing, the reservation is released', async () => {
    // The refund's undo is registered before the charge (a charge that timed out may have happened),
    // so it runs after a decline too; refunds are safe when nothing was charged.
    const calls: Calls = [];
    const { outcome, status, finished } = await runOrder(
      fakeActivities(calls, {
        chargePayment: async () => {
          throw declined();
        },
      }),
    );
    expect(outcome).toMatchObject({ status: 'CANCELLED', reason: 'payment declined' });
    expect(calls).toEqual([...throughCharge, 'markCancelling', 'refundPayment', 'releaseReservation', 'markCancelled(payment declined)']);
    expect(calls).not.toContain('commitStock');
    expect(calls).not.toContain('arrangeShipping');
    expect(status.compensationsRun).toEqual(['refund payment', 'release reservation']);
    expect(finished).toEqual(['CANCELLED']);
  });

  it('out of stock: names the SKU and only releases the reservation', async () => {
    const calls: Calls = [];
    const { outcome, status } = await runOrder(
      fakeActivities(calls, {
        reserveStock: async () => {
          throw ApplicationFailure.create({
            message: 'insufficient stock for sku SKU-9: 0 available',
            type: 'InsufficientStockError',
            nonRetryable: true,
            details: [{ sku: 'SKU-9' }],
          });
        },
      }),
    );
    expect(outcome).toMatchObject({ status: 'CANCELLED', reason: 'out of stock: SKU-9' });
    expect(calls).toEqual([
      'validateOrder',
      'checkFraud',
      'reserveStock',
      'markCancelling',
      'releaseReservation',
      'markCancelled(out of stock: SKU-9)',
    ]);
    expect(status.compensationsRun).toEqual(['release reservation']);
  });

  it('shipping refused after payment: cancels the shipment, refunds, releases, in that order', async () => {
    const calls: Calls = [];
    const { outcome, status } = await runOrder(
      fakeActivities(calls, {
        arrangeShipping: async () => {
          throw ApplicationFailure.nonRetryable('carrier does not serve this address', 'ShippingRefusedError');
        },
      }),
    );
    expect(outcome).toMatchObject({ status: 'CANCELLED', reason: 'we cannot ship to this address' });
    expect(calls).toEqual([
      ...throughShipping,
      'markCancelling',
      'cancelShipment',
      'refundPayment',
      'releaseReservation',
      'markCancelled(we cannot ship to this address)',
    ]);
    expect(status.compensationsRun).toEqual(['cancel shipment', 'refund payment', 'release reservation']);
  });

  it('retries a transient failure and completes', async () => {
    const calls: Calls = [];
    const attempts: number[] = [];
    const { outcome } = await runOrder(
      fakeActivities(calls, {
        chargePayment: async () => {
          const { attempt } = Context.current().info;
          attempts.push(attempt);
          if (attempt < 3) throw new Error('payment-service unavailable');
          return { paymentId: 'pay-1' };
        },
      }),
    );
    expect(outcome).toMatchObject({ status: 'COMPLETED', trackingNumber: 'SIM-TRACK' });
    expect(attempts).toEqual([1, 2, 3]);
    expect(calls.filter((call) => call.startsWith('chargePayment'))).toHaveLength(3);
    expect(calls).not.toContain('markCancelling');
  });

  it('the cancelOrder signal before shipping stops the step under way and compensates', async () => {
    const calls: Calls = [];
    const gate = new Gate();
    const { outcome, status } = await runOrder(fakeActivities(calls, { reserveStock: () => gate.wait() }), {
      drive: async (handle) => {
        await gate.entered;
        await handle.signal(cancelOrderSignal, 'customer changed their mind');
        // The activity hears of the cancellation (through its heartbeat) and ends.
        expect(await gate.ended).toBe('cancelled');
      },
    });
    expect(outcome).toMatchObject({ status: 'CANCELLED', reason: 'customer changed their mind' });
    expect(calls).toEqual([
      'validateOrder',
      'checkFraud',
      'reserveStock',
      'markCancelling',
      'releaseReservation',
      'markCancelled(customer changed their mind)',
    ]);
    expect(status).toMatchObject({ currentStep: 'done', stepsDone: ['validate', 'fraud check'], compensationsRun: ['release reservation'] });
  });

  it('ignores the cancelOrder signal once shipping is arranged', async () => {
    const calls: Calls = [];
    const gate = new Gate();
    const { outcome } = await runOrder(
      fakeActivities(calls, {
        // Park the last step, after "arrange shipping" is done.
        setOrderStatus: async (_orderId, _from, to) => {
          if (to === 'COMPLETED') await gate.wait();
        },
      }),
      {
        drive: async (handle) => {
          await gate.entered;
          await handle.signal(cancelOrderSignal, 'too late');
          gate.open();
          expect(await gate.ended).toBe('opened');
        },
      },
    );
    expect(outcome).toMatchObject({ status: 'COMPLETED', trackingNumber: 'SIM-TRACK' });
    expect(calls).toEqual([...throughShipping, 'setOrderStatus(SHIPPING,COMPLETED)']);
  });

  it('cancelling the workflow mid-saga compensates and completes with CANCELLED (it does not fail)', async () => {
    const calls: Calls = [];
    const gate = new Gate();
    const { outcome, status, closedAs } = await runOrder(fakeActivities(calls, { chargePayment: () => gate.wait().then(() => ({ paymentId: 'x' })) }), {
      drive: async (handle) => {
        await gate.entered;
        await handle.cancel();
        expect(await gate.ended).toBe('cancelled');
      },
    });
    expect(outcome).toMatchObject({ status: 'CANCELLED', reason: 'cancelled by an operator' });
    expect(closedAs).toBe('COMPLETED');
    expect(calls).toEqual([...throughCharge, 'markCancelling', 'refundPayment', 'releaseReservation', 'markCancelled(cancelled by an operator)']);
    expect(status.compensationsRun).toEqual(['refund payment', 'release reservation']);
  });

  it('undoes a step that took effect but never reported success (retries exhausted)', async () => {
    // Every attempt charges (the real charge is idempotent per order) and then fails as if it
    // timed out, until the 5 attempts are used up. nextRetryDelay replaces the 1, 2, 4, 8 s
    // backoff (the dev server still waits ~1 s per retry), so this takes ~4 s instead of 15 s.
    const calls: Calls = [];
    const ledger: string[] = [];
    const { outcome, status } = await runOrder(
      fakeActivities(calls, {
        chargePayment: async () => {
          ledger.push('charged');
          throw ApplicationFailure.create({ message: 'payment-service deadline exceeded', nextRetryDelay: '10 ms' });
        },
        refundPayment: async () => {
          ledger.push('refunded');
        },
      }),
    );
    expect(outcome).toMatchObject({ status: 'CANCELLED' });
    expect(ledger).toEqual(['charged', 'charged', 'charged', 'charged', 'charged', 'refunded']);
    expect(calls.slice(-4)).toEqual(['markCancelling', 'refundPayment', 'releaseReservation', `markCancelled(${outcome.reason})`]);
    expect(status.compensationsRun).toEqual(['refund payment', 'release reservation']);
  });

  // With the default ActivityCancellationType.TRY_CANCEL the saga would compensate at once while
  // the step's attempt may still be running: the refund would run before the charge lands, and
  // the customer would keep paying for a cancelled order. WAIT_CANCELLATION_COMPLETED prevents it.
  it('compensates a cancelled step only after its attempt has ended (no refund before the charge)', async () => {
    const calls: Calls = [];
    const ledger: string[] = [];
    // Like the real chargePayment: one service call, no heartbeats, so it cannot hear a cancellation.
    const gate = new Gate({ hearsCancellation: false });
    await runOrder(
      fakeActivities(calls, {
        chargePayment: async () => {
          await gate.wait();
          ledger.push('charged');
          return { paymentId: 'pay-1' };
        },
        refundPayment: async () => void ledger.push('refunded'),
      }),
      {
        drive: async (handle) => {
          await gate.entered;
          await handle.signal(cancelOrderSignal, 'customer changed their mind');
          // Were the saga not to wait for the charge, it would end within these 2 s.
          await Promise.race([until(() => calls.includes('markCancelled(customer changed their mind)')), sleep(2_000)]);
          gate.open();
        },
      },
    );
    expect(ledger).toEqual(['charged', 'refunded']);
  });

  it('completes even when delivery tracking for the order is already running', async () => {
    const gate = new Gate();
    const { outcome, closedAs } = await runOrder(fakeActivities([], { arrangeShipping: async () => (await gate.wait(), { trackingNumber: 'T-1' }) }), {
      drive: async (handle) => {
        await gate.entered;
        const orderId = handle.workflowId.replace(/^order-/, '');
        await env.client.workflow.start('OrderTrackingWorkflow', {
          taskQueue: `idle-${randomUUID()}`,
          workflowId: trackingWorkflowId(orderId),
          args: [{ orderId }],
        });
        gate.open();
      },
    });
    expect(closedAs).toBe('COMPLETED');
    expect(outcome).toMatchObject({ status: 'COMPLETED', trackingNumber: 'T-1' });
  });

  it('answers the status query while a step runs and after the end', async () => {
    const calls: Calls = [];
    const gate = new Gate();
    const { outcome, status } = await runOrder(
      fakeActivities(calls, {
        chargePayment: async () => {
          await gate.wait();
          throw declined();
        },
      }),
      {
        drive: async (handle) => {
          await gate.entered;
          const during = await handle.query(statusQuery);
          expect(during).toEqual({
            orderId: expect.any(String),
            currentStep: 'charge payment',
            stepsDone: ['validate', 'fraud check', 'reserve stock'],
            compensationsRun: [],
          });
          gate.open();
        },
      },
    );
    expect(status).toEqual({
      orderId: outcome.orderId,
      currentStep: 'done',
      stepsDone: ['validate', 'fraud check', 'reserve stock'],
      compensationsRun: ['refund payment', 'release reservation'],
      outcome: { orderId: outcome.orderId, status: 'CANCELLED', reason: 'payment declined' },
    });
  });
});

describe('arrangeShipping (the real activity, fake service clients)', () => {
  /** Clients for what arrangeShipping calls; the carrier confirms on the second attempt, after an outage on the first. */
  function shippingDeps(log: string[], resumedFrom: unknown[]): ActivityDeps {
    const order = {
      getOrder: async ({ orderId }: { orderId: string }) => ({ order: { orderId, customerId: 'cust-1', items: [{ sku: 'SKU-1', quantity: 2 }] } }),
      getCustomer: async () => ({ customer: { shippingAddress: { line1: '1 Main St', city: 'Springfield' } } }),
    };
    let polls = 0;
    const shipping = {
      createShipment: async () => {
        log.push('createShipment');
        return { shipment: { id: 'shp-1' } };
      },
      getShipment: async () => {
        const { attempt, heartbeatDetails } = Context.current().info;
        if (attempt === 1) {
          polls += 1;
          log.push(`getShipment (attempt 1, poll ${polls})`);
          if (polls < 3) return { shipment: { status: ShipmentStatus.PENDING } };
          throw new ConnectError('carrier unavailable', Code.Unavailable);
        }
        resumedFrom.push(heartbeatDetails);
        log.push(`getShipment (attempt ${attempt})`);
        return { shipment: { status: ShipmentStatus.CONFIRMED, trackingNumber: 'TRK-42' } };
      },
    };
    return {
      order: order as unknown as ActivityDeps['order'],
      shipping: shipping as unknown as ActivityDeps['shipping'],
      inventory: {} as ActivityDeps['inventory'],
      payment: {} as ActivityDeps['payment'],
      registry: new Registry(),
      shippingPollMs: 50,
    };
  }

  it('resumes from its last heartbeat on retry instead of creating the shipment again', async () => {
    const calls: Calls = [];
    const carrier: string[] = [];
    const resumedFrom: unknown[] = [];
    const { arrangeShipping } = createActivities(shippingDeps(carrier, resumedFrom));
    const { outcome } = await runOrder(fakeActivities(calls, { arrangeShipping }));
    expect(outcome).toMatchObject({ status: 'COMPLETED', trackingNumber: 'TRK-42' });
    expect(carrier).toEqual([
      'createShipment',
      'getShipment (attempt 1, poll 1)',
      'getShipment (attempt 1, poll 2)',
      'getShipment (attempt 1, poll 3)',
      'getShipment (attempt 2)',
    ]);
    expect(resumedFrom).toEqual([{ shipmentId: 'shp-1', polls: 2 } satisfies ShippingProgress]);
    expect(calls.filter((call) => call === 'arrangeShipping')).toHaveLength(2);
  });
});

describe('OrderTrackingWorkflow', () => {
  const startTracking = (taskQueue: string, input: TrackingInput) =>
    env.client.workflow.start<typeof OrderTrackingWorkflow>('OrderTrackingWorkflow', {
      taskQueue,
      workflowId: trackingWorkflowId(input.orderId),
      args: [input],
    });

  it('continues as new while no delivery is signalled, and gives up after maxRuns', async () => {
    const calls: Calls = [];
    const orderId = newOrderId();
    await withWorker(fakeActivities(calls), async (taskQueue) => {
      const handle = await startTracking(taskQueue, { orderId, deliveryTimeoutMs: 500, maxRuns: 3 });
      expect(await handle.result()).toEqual({ orderId, delivered: false, runs: 3 });
      expect((await handle.describe()).runId).not.toBe(handle.firstExecutionRunId);
    });
    expect(calls).toEqual([]);
  });

  it('marks the order delivered when signalled, also after continuing as new', async () => {
    const calls: Calls = [];
    const orderId = newOrderId();
    await withWorker(fakeActivities(calls), async (taskQueue) => {
      const handle = await startTracking(taskQueue, { orderId, deliveryTimeoutMs: 500, maxRuns: 10 });
      await until(async () => (await handle.describe()).runId !== handle.firstExecutionRunId);
      await handle.signal(orderDeliveredSignal);
      const result = await handle.result();
      expect(result).toMatchObject({ orderId, delivered: true });
      expect(result.runs).toBeGreaterThanOrEqual(2);
    });
    expect(calls).toEqual(['markDelivered']);
  });
});
