import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { ShipmentStatus } from '@oms/contracts/shipping/v1';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities, type Activities, type ActivityDeps } from '../src/activities';
import type { OrderTrackingWorkflow, OrderWorkflow } from '../src/workflows';
import {
  amendOrderUpdate,
  cancelOrderSignal,
  cancelOrderUpdate,
  cancelRefused,
  orderDeliveredSignal,
  orderWorkflowId,
  statusQuery,
  trackingWorkflowId,
  type OrderWorkflowInput,
  type StockShortfall,
  type TrackingInput,
} from '@oms/contracts/workflows';
import { fakeActivities, Gate, snapshot, type Calls } from './fake-activities';
import { startServerAndBundle, until } from './dev-server';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  [env, bundle] = await startServerAndBundle();
});

afterAll(async () => {
  await env?.teardown();
});

const newOrderId = () => String(Math.floor(Math.random() * 1e9));

/** Runs `fn` while a worker with these activities polls a fresh task queue. */
async function withWorker<T>(activities: Activities, fn: (taskQueue: string, finished: string[], gaveUp: string[]) => Promise<T>): Promise<T> {
  const taskQueue = `test-${randomUUID()}`;
  const finished: string[] = [];
  const gaveUp: string[] = [];
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    activities,
    sinks: {
      orderMetrics: {
        // A cancelled order is counted with its cause (the metric's reason label).
        finished: {
          fn: (_info, status: string, _seconds: number, cause: string) => void finished.push(status === 'COMPLETED' ? status : `${status}: ${cause}`),
        },
        gaveUp: { fn: (_info, step: string, system: string) => void gaveUp.push(`${step}: ${system}`) },
      },
    },
    // Activities without a heartbeat timeout (the gated fakes) heartbeat promptly, so cancellation reaches them.
    defaultHeartbeatThrottleInterval: '20 ms',
  });
  return worker.runUntil(fn(taskQueue, finished, gaveUp));
}

interface RunOptions {
  paymentToken?: string;
  retryWindowMs?: OrderWorkflowInput['retryWindowMs'];
  awaitCustomerMs?: number;
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
  return withWorker(activities, async (taskQueue, finished, gaveUp) => {
    const handle = await env.client.workflow.start<typeof OrderWorkflow>('OrderWorkflow', {
      taskQueue,
      workflowId: orderWorkflowId(orderId),
      args: [
        {
          orderId,
          paymentToken: options.paymentToken ?? 'tok_success',
          deliveryTimeoutMs: 1_000,
          retryWindowMs: options.retryWindowMs,
          awaitCustomerMs: options.awaitCustomerMs,
        },
      ],
    });
    const [outcome] = await Promise.all([handle.result(), options.drive?.(handle)]);
    const status = await handle.query(statusQuery);
    const { status: closed, historyLength } = await handle.describe();
    return { orderId, outcome, status, closedAs: closed.name, historyLength, finished, gaveUp };
  });
}

const declined = () => ApplicationFailure.nonRetryable('card declined: insufficient funds', 'PaymentDeclinedError');

// The forward steps' calls, as fakeActivities records them.
const throughCharge = ['validateOrder', 'reserve', 'charge(tok_success)'];
const throughShipping = [...throughCharge, 'commit', 'ship'];

describe('OrderWorkflow', () => {
  it('runs the happy path in order and completes', async () => {
    const calls: Calls = [];
    const { outcome, status, finished } = await runOrder(fakeActivities(calls));
    expect(outcome).toMatchObject({ status: 'COMPLETED', trackingNumber: 'SIM-TRACK' });
    expect(calls).toEqual([...throughShipping, 'completeOrder']);
    expect(status).toMatchObject({ currentStep: 'done', compensationsRun: [], outcome });
    expect(status.stepsDone).toEqual(['validate', 'reserve stock', 'charge payment', 'commit stock', 'arrange shipping', 'complete']);
    expect(finished).toEqual(['COMPLETED']);
  });

  it('a declined charge is compensated: the refund finds nothing, the reservation is released', async () => {
    // The refund's undo is registered before the charge (a charge that timed out may have happened),
    // so it runs after a decline too; refunds are safe when nothing was charged.
    const calls: Calls = [];
    const { outcome, status, finished } = await runOrder(
      fakeActivities(calls, {
        charge: async () => {
          throw declined();
        },
      }),
    );
    expect(outcome).toMatchObject({ status: 'CANCELLED', reason: 'payment declined' });
    expect(calls).toEqual([...throughCharge, 'markCancelling', 'refundPayment', 'releaseReservation', 'markCancelled(payment declined)']);
    expect(calls).not.toContain('commit');
    expect(calls).not.toContain('ship');
    expect(status.compensationsRun).toEqual(['refund payment', 'release reservation']);
    expect(finished).toEqual(['CANCELLED: payment_declined']);
  });

  it('refused for stock with nothing short when looked at (the stock came back meanwhile): reserves once more, under a key of its own, and completes', async () => {
    const calls: Calls = [];
    const tries: (boolean | undefined)[] = [];
    const { outcome } = await runOrder(
      fakeActivities(calls, {
        reserve: async (order) => {
          tries.push(order.reserveAgain);
          if (!order.reserveAgain) {
            throw ApplicationFailure.create({ message: 'insufficient stock for sku SKU-9: 0 available', type: 'InsufficientStockError', nonRetryable: true });
          }
        },
      }),
    );
    expect(outcome).toMatchObject({ status: 'COMPLETED' });
    expect(calls.slice(0, 4)).toEqual(['validateOrder', 'reserve', 'stockShortfall', 'reserve']);
    expect(tries).toEqual([undefined, true]);
  });

  it('refused for stock again on the one more try, with nothing short: the refusal stands, names the SKU, only releases the reservation', async () => {
    const calls: Calls = [];
    const { outcome, status } = await runOrder(
      fakeActivities(calls, {
        reserve: async () => {
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
      'reserve',
      'stockShortfall',
      'reserve',
      'stockShortfall',
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
        ship: async () => {
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
        charge: async () => {
          const { attempt } = Context.current().info;
          attempts.push(attempt);
          if (attempt < 3) throw new Error('payment-service unavailable');
          return { paymentId: 'pay-1' };
        },
      }),
    );
    expect(outcome).toMatchObject({ status: 'COMPLETED', trackingNumber: 'SIM-TRACK' });
    expect(attempts).toEqual([1, 2, 3]);
    expect(calls.filter((call) => call.startsWith('charge'))).toHaveLength(3);
    expect(calls).not.toContain('markCancelling');
  });

  it('rides out an outage longer than any attempt limit: no order is cancelled for a fault that heals', async () => {
    // v1 gave up after 5 attempts, which cancelled orders while the payment breaker was open.
    const attempts: number[] = [];
    const { outcome, gaveUp } = await runOrder(
      fakeActivities([], {
        charge: async () => {
          const { attempt } = Context.current().info;
          attempts.push(attempt);
          if (attempt < 8) throw ApplicationFailure.create({ message: 'payment provider circuit open', nextRetryDelay: '10 ms' });
          return { paymentId: 'pay-1' };
        },
      }),
    );
    expect(outcome).toMatchObject({ status: 'COMPLETED' });
    expect(attempts).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(gaveUp).toEqual([]);
  });

  it('the cancelOrder signal before shipping stops the step under way and compensates', async () => {
    const calls: Calls = [];
    const gate = new Gate();
    const { outcome, status } = await runOrder(fakeActivities(calls, { reserve: () => gate.wait() }), {
      drive: async (handle) => {
        await gate.entered;
        await handle.signal(cancelOrderSignal, 'customer changed their mind');
        // The activity hears of the cancellation (through its heartbeat) and ends.
        expect(await gate.ended).toBe('cancelled');
      },
    });
    expect(outcome).toMatchObject({ status: 'CANCELLED', reason: 'customer changed their mind' });
    expect(calls).toEqual(['validateOrder', 'reserve', 'markCancelling', 'releaseReservation', 'markCancelled(customer changed their mind)']);
    expect(status).toMatchObject({ currentStep: 'done', stepsDone: ['validate'], compensationsRun: ['release reservation'] });
  });

  it('ignores the cancelOrder signal once shipping is arranged', async () => {
    const calls: Calls = [];
    // The last step is a local activity, which cannot hear a cancellation.
    const gate = new Gate({ hearsCancellation: false });
    const { outcome } = await runOrder(
      fakeActivities(calls, {
        // Park the last step, after "arrange shipping" is done.
        completeOrder: () => gate.wait(),
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
    expect(calls).toEqual([...throughShipping, 'completeOrder']);
  });

  it('cancelling the workflow mid-saga compensates and completes with CANCELLED (it does not fail)', async () => {
    const calls: Calls = [];
    const gate = new Gate();
    const { outcome, status, closedAs } = await runOrder(fakeActivities(calls, { charge: () => gate.wait().then(() => ({ paymentId: 'x' })) }), {
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

  it('gives up when the retry window is spent: names the system, raises the alert, undoes a step that may have happened', async () => {
    // Every attempt charges (the real charge is idempotent per order) and then fails as if it
    // timed out, until the step's window (here 1.5 s instead of an hour) is spent.
    const calls: Calls = [];
    const ledger: string[] = [];
    const { outcome, status, gaveUp, finished } = await runOrder(
      fakeActivities(calls, {
        charge: async () => {
          ledger.push('charged');
          throw ApplicationFailure.create({ message: 'payment-service deadline exceeded', nextRetryDelay: '100 ms' });
        },
        refundPayment: async () => {
          ledger.push('refunded');
        },
      }),
      { retryWindowMs: { 'charge payment': 1_500 } },
    );
    expect(outcome).toMatchObject({ status: 'CANCELLED', reason: 'payment-service was unavailable for too long; any payment was refunded' });
    expect(gaveUp).toEqual(['charge payment: payment-service']);
    expect(finished).toEqual(['CANCELLED: unavailable']);
    expect(ledger.filter((entry) => entry === 'charged').length).toBeGreaterThan(1);
    expect(ledger.at(-1)).toBe('refunded');
    expect(calls.slice(-4)).toEqual(['markCancelling', 'refundPayment', 'releaseReservation', `markCancelled(${outcome.reason})`]);
    expect(status.compensationsRun).toEqual(['refund payment', 'release reservation']);
  });

  // With the default ActivityCancellationType.TRY_CANCEL the saga would compensate at once while
  // the step's attempt may still be running: the refund would run before the charge lands, and
  // the customer would keep paying for a cancelled order. WAIT_CANCELLATION_COMPLETED prevents it.
  it('compensates a cancelled step only after its attempt has ended (no refund before the charge)', async () => {
    const calls: Calls = [];
    const ledger: string[] = [];
    // Like the real charge: service calls, no heartbeats, so it cannot hear a cancellation.
    const gate = new Gate({ hearsCancellation: false });
    await runOrder(
      fakeActivities(calls, {
        charge: async () => {
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
    const { outcome, closedAs } = await runOrder(fakeActivities([], { ship: async () => (await gate.wait(), { trackingNumber: 'T-1' }) }), {
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
        charge: async () => {
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
            stepsDone: ['validate', 'reserve stock'],
            compensationsRun: [],
          });
          gate.open();
        },
      },
    );
    expect(status).toEqual({
      orderId: outcome.orderId,
      currentStep: 'done',
      stepsDone: ['validate', 'reserve stock'],
      compensationsRun: ['refund payment', 'release reservation'],
      outcome: { orderId: outcome.orderId, status: 'CANCELLED', reason: 'payment declined' },
    });
  });
});

/** How a cancel Update ended: accepted (with the reason the order will end with), or refused with the customer-facing reason. */
async function tryCancel(handle: WorkflowHandle<typeof OrderWorkflow>, reason: string): Promise<{ accepted: string } | { refused: string }> {
  try {
    return { accepted: (await handle.executeUpdate(cancelOrderUpdate, { args: [{ reason }] })).reason };
  } catch (error) {
    const cause = error instanceof WorkflowUpdateFailedError ? (error.cause as ApplicationFailure | undefined) : undefined;
    if (cause?.type === cancelRefused) return { refused: cause.message };
    // The workflow closed before the Update reached it: the order has ended.
    if (error instanceof WorkflowNotFoundError) return { refused: 'closed' };
    throw error;
  }
}

describe('cancel (the Update)', () => {
  it('accepted before shipping: answers with the reason, stops the step under way, compensates, ends CANCELLED', async () => {
    const calls: Calls = [];
    const gate = new Gate();
    let answer: unknown;
    const { orderId, outcome, status, finished } = await runOrder(fakeActivities(calls, { charge: () => gate.wait().then(() => ({ paymentId: 'x' })) }), {
      drive: async (handle) => {
        await gate.entered;
        answer = await handle.executeUpdate(cancelOrderUpdate, { args: [{ reason: 'changed my mind' }] });
        expect(await gate.ended).toBe('cancelled');
      },
    });
    expect(answer).toEqual({ orderId, accepted: true, reason: 'changed my mind' });
    expect(outcome).toMatchObject({ status: 'CANCELLED', reason: 'changed my mind' });
    expect(calls).toEqual([...throughCharge, 'markCancelling', 'refundPayment', 'releaseReservation', 'markCancelled(changed my mind)']);
    expect(status.compensationsRun).toEqual(['refund payment', 'release reservation']);
    expect(finished).toEqual(['CANCELLED: customer']);
  });

  it('accepted while the carrier is being asked: the shipment that still got arranged is cancelled', async () => {
    // Like a service call in flight: it does not hear the cancellation and returns a shipment.
    const calls: Calls = [];
    const gate = new Gate({ hearsCancellation: false });
    const { outcome, status } = await runOrder(fakeActivities(calls, { ship: () => gate.wait().then(() => ({ trackingNumber: 'T-1' })) }), {
      drive: async (handle) => {
        await gate.entered;
        expect(await tryCancel(handle, 'too slow')).toEqual({ accepted: 'too slow' });
        gate.open();
      },
    });
    expect(outcome).toMatchObject({ status: 'CANCELLED', reason: 'too slow' });
    expect(calls).not.toContain('completeOrder');
    expect(status.compensationsRun).toEqual(['cancel shipment', 'refund payment', 'release reservation']);
  });

  it('refused once shipping is arranged, with the reason; the order completes', async () => {
    const calls: Calls = [];
    const gate = new Gate({ hearsCancellation: false });
    let refusal: unknown;
    const { orderId, outcome } = await runOrder(fakeActivities(calls, { completeOrder: () => gate.wait() }), {
      drive: async (handle) => {
        await gate.entered;
        // Slow (about 16 s): an Update waits while a local activity holds the workflow task, until it heartbeats.
        refusal = await tryCancel(handle, 'too late');
        gate.open();
      },
    });
    expect(refusal).toEqual({ refused: `order ${orderId}: shipping is already arranged` });
    expect(outcome).toMatchObject({ status: 'COMPLETED', trackingNumber: 'SIM-TRACK' });
    expect(calls).toEqual([...throughShipping, 'completeOrder']);
  });

  it('refused once the order has ended', async () => {
    const { outcome } = await runOrder(fakeActivities([]), {
      drive: async (handle) => {
        await handle.result();
        expect(await tryCancel(handle, 'later')).toEqual({ refused: 'closed' });
      },
    });
    expect(outcome.status).toBe('COMPLETED');
  });

  // Each order parks every step; the test opens them one by one and, as it opens step `burstAt`,
  // fires a burst of cancels a few ms apart. Whatever the interleaving: the order ends CANCELLED
  // exactly when some cancel was accepted, every accepted cancel answers with the order's reason,
  // and every refusal gives the customer the true reason.
  it('hammered with concurrent cancels while the saga runs: accepted iff it ends CANCELLED, refusals give the reason', async () => {
    const gated = ['reserve', 'charge', 'commit', 'ship', 'completeOrder'] as const;
    const runs = [0, 1, 2, 3, 3, 3, 3, 3, 3, 4, 4].map((burstAt, i) => ({ burstAt, shipHearsCancellation: i % 2 === 0 }));
    const results = await Promise.all(
      runs.map(async ({ burstAt, shipHearsCancellation }) => {
        const calls: Calls = [];
        // The carrier call (a heartbeating activity) hears cancellations in half the runs; the others are service calls.
        const gates = gated.map((name) => new Gate({ hearsCancellation: name === 'ship' && shipHearsCancellation }));
        const parked = Object.fromEntries(
          gated.map((name, i) => [
            name,
            () => gates[i]!.wait().then(() => (name === 'ship' ? { trackingNumber: 'T-1' } : name === 'charge' ? { paymentId: 'p' } : undefined)),
          ]),
        );
        const answers: ({ accepted: string } | { refused: string })[] = [];
        const run = await runOrder(fakeActivities(calls, parked), {
          drive: async (handle) => {
            const ended = handle.result().then(() => 'ended' as const);
            const bursts: Promise<void>[] = [];
            for (const [i, gate] of gates.entries()) {
              if ((await Promise.race([gate.entered.then(() => 'entered' as const), ended])) === 'ended') break;
              if (i === burstAt) {
                bursts.push(
                  ...Array.from({ length: 6 }, async (_, n) => {
                    await sleep(n * 3);
                    answers.push(await tryCancel(handle, `reason ${n}`));
                  }),
                );
                await sleep(5);
              }
              gate.open();
            }
            await Promise.all(bursts);
          },
        });
        return { ...run, burstAt, calls, answers };
      }),
    );
    for (const { orderId, outcome, calls, answers, burstAt } of results) {
      const accepted = answers.flatMap((a) => ('accepted' in a ? [a.accepted] : []));
      const refused = answers.flatMap((a) => ('refused' in a ? [a.refused] : []));
      const context = JSON.stringify({ burstAt, outcome, answers });
      expect(answers, context).toHaveLength(6);
      expect(outcome.status === 'CANCELLED', context).toBe(accepted.length > 0);
      // The first accepted reason wins; every accepted cancel says so.
      for (const reason of accepted) expect(reason, context).toBe(outcome.reason);
      // A cancel repeated while the order is being cancelled is accepted, so a cancelled order refuses only once it has ended.
      const refusals =
        outcome.status === 'CANCELLED'
          ? `order ${orderId} has already ended: CANCELLED|closed`
          : `order ${orderId}: shipping is already arranged|order ${orderId} has already ended: COMPLETED|closed`;
      for (const reason of refused) expect(reason, context).toMatch(new RegExp(`^(${refusals})$`));
      if (outcome.status === 'CANCELLED' && calls.includes('ship')) expect(calls, context).toContain('cancelShipment');
      if (burstAt < 3) expect(outcome.status, context).toBe('CANCELLED');
      if (burstAt === 4) expect(outcome.status, context).toBe('COMPLETED');
    }
  });
});

describe('stock short: the customer in the loop', () => {
  const stockRefusal = (sku: string) =>
    ApplicationFailure.create({ message: `insufficient stock for sku ${sku}`, type: 'InsufficientStockError', nonRetryable: true, details: [{ sku }] });
  // Three mugs at 10.00 and a pen at 5.00; two mugs are in stock.
  const order = {
    ...snapshot,
    lines: [
      { sku: 'MUG', quantity: 3 },
      { sku: 'PEN', quantity: 1 },
    ],
    total: { amountMinor: '3500', currency: 'EUR' },
  };
  const mugsShort: StockShortfall[] = [{ sku: 'MUG', requested: 3, available: 2 }];
  /** Stock activities over `inStock`; reserve refuses what it cannot cover; amendOrder reprices as order-service does. */
  function shop(calls: Calls, inStock: Map<string, number>, ledger: string[] = []) {
    const prices = new Map([
      ['MUG', 1000],
      ['PEN', 500],
    ]);
    return fakeActivities(calls, {
      validateOrder: async () => order,
      reserve: async ({ lines, amendment }) => {
        ledger.push(`reserve#${amendment ?? 0} ${lines.map((l) => `${l.quantity} ${l.sku}`).join(', ')}`);
        const short = lines.find((l) => (inStock.get(l.sku) ?? 0) < l.quantity);
        if (short) throw stockRefusal(short.sku);
      },
      stockShortfall: async (lines) =>
        lines.map((l) => ({ sku: l.sku, requested: l.quantity, available: inStock.get(l.sku) ?? 0 })).filter((l) => l.available < l.requested),
      askCustomer: async (_order, shortfall) => void ledger.push(`ask ${JSON.stringify(shortfall)}`),
      amendOrder: async (_orderId, lines) => ({
        lines,
        total: { amountMinor: String(lines.reduce((sum, l) => sum + l.quantity * prices.get(l.sku)!, 0)), currency: 'EUR' },
      }),
      charge: async ({ total }) => (ledger.push(`charge ${total.amountMinor}`), { paymentId: 'pay-1' }),
    });
  }
  const names = (calls: Calls) => calls.map((call) => call.replace(/\(.*$/, ''));
  const awaiting = async (handle: WorkflowHandle<typeof OrderWorkflow>) => {
    await until(async () => (await handle.query(statusQuery)).awaitingCustomer !== undefined);
    return (await handle.query(statusQuery)).awaitingCustomer!;
  };
  /** The update's refusal, as the client sees it. */
  const refusal = (handle: WorkflowHandle<typeof OrderWorkflow>, lines: { sku: string; quantity: number }[]) =>
    handle.executeUpdate(amendOrderUpdate, { args: [{ lines }] }).then(
      () => 'accepted',
      (error: unknown) => {
        expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
        const cause = (error as WorkflowUpdateFailedError).cause as ApplicationFailure;
        expect(cause.type).toBe('AmendRefusedError');
        return cause.message;
      },
    );

  it('waits for the customer, who amends the order; the saga goes on and charges the new total', async () => {
    const calls: Calls = [];
    const ledger: string[] = [];
    const { outcome, status, finished } = await runOrder(
      shop(
        calls,
        new Map([
          ['MUG', 2],
          ['PEN', 5],
        ]),
        ledger,
      ),
      {
        drive: async (handle) => {
          const { shortfall, deadline } = await awaiting(handle);
          expect(shortfall).toEqual(mugsShort);
          // The default wait: 30 minutes.
          expect(Date.parse(deadline) - Date.now()).toBeGreaterThan(25 * 60_000);
          const amended = await handle.executeUpdate(amendOrderUpdate, { args: [{ lines: [{ sku: 'MUG', quantity: 2 }] }] });
          expect(amended).toEqual({ lines: [{ sku: 'MUG', quantity: 2 }], total: { amountMinor: '2000', currency: 'EUR' } });
        },
      },
    );
    expect(outcome).toMatchObject({ status: 'COMPLETED', trackingNumber: 'SIM-TRACK' });
    expect(ledger).toEqual(['reserve#0 3 MUG, 1 PEN', `ask ${JSON.stringify(mugsShort)}`, 'reserve#1 2 MUG', 'charge 2000']);
    expect(names(calls)).toEqual([
      'validateOrder',
      'reserve',
      'stockShortfall',
      'askCustomer',
      'stockShortfall',
      'amendOrder',
      'reserve',
      'charge',
      'commit',
      'ship',
      'completeOrder',
    ]);
    expect(status.awaitingCustomer).toBeUndefined();
    expect(status.stepsDone).toEqual(['validate', 'reserve stock', 'charge payment', 'commit stock', 'arrange shipping', 'complete']);
    expect(finished).toEqual(['COMPLETED']);
  });

  it('refuses an amendment that does not fit the order or the stock, and any while the order is not waiting', async () => {
    const gate = new Gate({ hearsCancellation: false });
    const calls: Calls = [];
    const activities = shop(
      calls,
      new Map([
        ['MUG', 2],
        ['PEN', 5],
      ]),
    );
    const { outcome } = await runOrder(
      { ...activities, reserve: async (snapshot) => (await gate.wait(), activities.reserve(snapshot)) },
      {
        drive: async (handle) => {
          await gate.entered;
          expect(await refusal(handle, [{ sku: 'MUG', quantity: 1 }])).toBe('the order is not waiting for an amendment');
          gate.open();
          await awaiting(handle);
          const cases: [{ sku: string; quantity: number }[], string][] = [
            [[], 'an amended order needs at least one line; to drop them all, cancel the order'],
            [[{ sku: 'LAMP', quantity: 1 }], 'LAMP is not in this order'],
            [[{ sku: 'PEN', quantity: 0 }], 'PEN: the quantity must be at least 1 (leave the line out to drop it)'],
            [[{ sku: 'PEN', quantity: 2 }], 'PEN: at most 1 (the quantity ordered); an amendment can only take fewer units'],
            [[{ sku: 'MUG', quantity: 3 }], 'MUG: only 2 available'],
            [
              [
                { sku: 'PEN', quantity: 1 },
                { sku: 'PEN', quantity: 1 },
              ],
              'PEN is listed more than once',
            ],
          ];
          for (const [lines, message] of cases) expect(await refusal(handle, lines)).toBe(message);
          await handle.signal(cancelOrderSignal, 'never mind');
        },
      },
    );
    expect(outcome).toMatchObject({ status: 'CANCELLED', reason: 'never mind' });
    // Refused by the validator: no stock check, no amendment.
    expect(names(calls)).not.toContain('amendOrder');
    expect(names(calls).filter((name) => name === 'stockShortfall')).toHaveLength(1);
  });

  it('refuses an amendment the stock no longer covers, with the shortfall refreshed, and takes one that fits', async () => {
    const calls: Calls = [];
    const ledger: string[] = [];
    const inStock = new Map([
      ['MUG', 2],
      ['PEN', 5],
    ]);
    const { outcome } = await runOrder(shop(calls, inStock, ledger), {
      drive: async (handle) => {
        await awaiting(handle);
        // Another order took a mug meanwhile.
        inStock.set('MUG', 1);
        expect(await refusal(handle, [{ sku: 'MUG', quantity: 2 }])).toBe('the stock changed: MUG: only 1 available');
        expect((await handle.query(statusQuery)).awaitingCustomer?.shortfall).toEqual([{ sku: 'MUG', requested: 3, available: 1 }]);
        await handle.executeUpdate(amendOrderUpdate, {
          args: [
            {
              lines: [
                { sku: 'MUG', quantity: 1 },
                { sku: 'PEN', quantity: 1 },
              ],
            },
          ],
        });
      },
    });
    expect(outcome).toMatchObject({ status: 'COMPLETED' });
    expect(ledger.slice(-2)).toEqual(['reserve#1 1 MUG, 1 PEN', 'charge 1500']);
    expect(names(calls).filter((name) => name === 'amendOrder')).toHaveLength(1);
  });

  it('waits again when the amended order is short too (stock taken meanwhile)', async () => {
    const ledger: string[] = [];
    const inStock = new Map([
      ['MUG', 2],
      ['PEN', 5],
    ]);
    const activities = shop([], inStock, ledger);
    // Another order takes a mug between the amendment and its reservation.
    const reserve: typeof activities.reserve = async (order) => (order.amendment === 1 && inStock.set('MUG', 1), activities.reserve(order));
    const { outcome } = await runOrder(
      { ...activities, reserve },
      {
        drive: async (handle) => {
          await awaiting(handle);
          await handle.executeUpdate(amendOrderUpdate, { args: [{ lines: [{ sku: 'MUG', quantity: 2 }] }] });
          await until(async () => (await handle.query(statusQuery)).awaitingCustomer?.shortfall[0]?.available === 1);
          expect((await handle.query(statusQuery)).awaitingCustomer?.shortfall).toEqual([{ sku: 'MUG', requested: 2, available: 1 }]);
          await handle.executeUpdate(amendOrderUpdate, { args: [{ lines: [{ sku: 'MUG', quantity: 1 }] }] });
        },
      },
    );
    expect(outcome).toMatchObject({ status: 'COMPLETED' });
    expect(ledger.filter((entry) => !entry.startsWith('ask'))).toEqual(['reserve#0 3 MUG, 1 PEN', 'reserve#1 2 MUG', 'reserve#2 1 MUG', 'charge 1000']);
  });

  it('cancels the order when the customer does not answer in time', async () => {
    const calls: Calls = [];
    const { outcome, status, finished } = await runOrder(
      shop(
        calls,
        new Map([
          ['MUG', 2],
          ['PEN', 5],
        ]),
      ),
      { awaitCustomerMs: 1_000 },
    );
    expect(outcome).toMatchObject({ status: 'CANCELLED', reason: 'out of stock; no answer from the customer' });
    expect(calls.slice(-3)).toEqual(['markCancelling', 'releaseReservation', 'markCancelled(out of stock; no answer from the customer)']);
    expect(status.compensationsRun).toEqual(['release reservation']);
    expect(status.awaitingCustomer).toBeUndefined();
    expect(finished).toEqual(['CANCELLED: out_of_stock']);
  });

  it('a cancel while waiting ends the wait: CANCELLED, nothing to refund', async () => {
    const calls: Calls = [];
    const { outcome, status, finished } = await runOrder(shop(calls, new Map([['MUG', 0]])), {
      drive: async (handle) => {
        await awaiting(handle);
        await handle.signal(cancelOrderSignal, 'changed my mind');
      },
    });
    expect(outcome).toMatchObject({ status: 'CANCELLED', reason: 'changed my mind' });
    expect(names(calls)).toEqual(['validateOrder', 'reserve', 'stockShortfall', 'askCustomer', 'markCancelling', 'releaseReservation', 'markCancelled']);
    expect(status.compensationsRun).toEqual(['release reservation']);
    expect(finished).toEqual(['CANCELLED: customer']);
  });
});

describe('ship (the real activity, a fake shipping-service)', () => {
  /**
   * A shipping-service whose carrier stays PENDING for `pendingReads` reads
   * made past its promised time (promising again each time), then confirms.
   * CreateShipment replays answer with the first shipment, as the real one does.
   */
  function carrier(pendingReads: number, log: string[]): ActivityDeps {
    const pending = () => ({ id: 'shp-1', status: ShipmentStatus.PENDING, confirmDueAt: timestampFromMs(Date.now() + 200) });
    let first: ReturnType<typeof pending> | undefined;
    let reads = 0;
    const shipping = {
      createShipment: async () => {
        log.push('createShipment');
        return { shipment: (first ??= pending()) };
      },
      getShipment: async () => {
        log.push('getShipment');
        reads += 1;
        return { shipment: reads > pendingReads ? { id: 'shp-1', status: ShipmentStatus.CONFIRMED, trackingNumber: 'TRK-42' } : pending() };
      },
    };
    return { shipping: shipping as unknown as ActivityDeps['shipping'], registry: new Registry() } as ActivityDeps;
  }

  it('waits for the carrier between attempts: the history is as long however long the carrier takes', async () => {
    const quickLog: string[] = [];
    const slowLog: string[] = [];
    const quick = await runOrder(fakeActivities([], { ship: createActivities(carrier(0, quickLog)).ship }));
    const slow = await runOrder(fakeActivities([], { ship: createActivities(carrier(3, slowLog)).ship }));
    for (const { outcome } of [quick, slow]) expect(outcome).toMatchObject({ status: 'COMPLETED', trackingNumber: 'TRK-42' });
    // The carrier is asked only once its promised time has come.
    expect(quickLog.filter((call) => call === 'getShipment')).toHaveLength(1);
    expect(slowLog.filter((call) => call === 'getShipment')).toHaveLength(4);
    expect(slowLog.filter((call) => call === 'createShipment').length).toBeGreaterThanOrEqual(4);
    expect(slow.historyLength).toBe(quick.historyLength);
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
