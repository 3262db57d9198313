/**
 * The orphan reconciler on a real Temporal dev server: its sweep activity
 * (paging, starting each orphan's saga as the gateway would, skipping orders
 * that have a saga, naming those without a payment token, resuming from its
 * heartbeat), the cancel of an untokened orphan, and OrphanOrdersWorkflow
 * run by its schedule. order-service is a stand-in over its PENDING orders
 * (ListPendingOrders itself is tested in order-service); the sagas the sweep
 * starts go to a task queue no worker polls, so they stay as started.
 */
import { randomUUID } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { timestampDate, timestampFromMs } from '@bufbuild/protobuf/wkt';
import { type Client } from '@connectrpc/connect';
import {
  ListPendingOrdersResponseSchema,
  OrderSchema,
  OrderStatus,
  PendingOrderSchema,
  type ListPendingOrdersRequest,
  type OrderService,
  type UpdateOrderStatusRequest,
} from '@oms/contracts/order/v1';
import { orderWorkflowId, orphanCancelReason, orphanOrdersScheduleId, type OrderWorkflowInput } from '@oms/contracts/workflows';
import { MockActivityEnvironment, type TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orphanActivities, type OrphanSweep } from '../src/activities/orphans';
import { scheduleOrphanSweeps } from '../src/orphan-schedule';
import { startServerAndBundle } from './dev-server';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  [env, bundle] = await startServerAndBundle();
});

afterAll(async () => {
  await env?.teardown();
});

const now = Date.now();
let nextId = BigInt(now) * 1000n;

interface Stored {
  orderId: string;
  createdAtMs: number;
  paymentToken: string;
  status: OrderStatus;
}

/** order-service's part, over orders in memory: their PENDING ones page oldest first (the page token is how many were read), and status moves as the state machine allows them. */
function fakeOrderService(orders: Stored[]) {
  const listed: ListPendingOrdersRequest[] = [];
  const moves: UpdateOrderStatusRequest[] = [];
  const byId = new Map(orders.map((o) => [o.orderId, o]));
  const client = {
    async listPendingOrders(request: ListPendingOrdersRequest) {
      listed.push(request);
      const before = timestampDate(request.createdBefore!).getTime();
      const candidates = orders.filter((o) => o.status === OrderStatus.PENDING && o.createdAtMs < before).sort((a, b) => a.createdAtMs - b.createdAtMs);
      const from = Number(request.pageToken || '0');
      const page = candidates.slice(from, from + request.pageSize);
      return create(ListPendingOrdersResponseSchema, {
        orders: page.map(({ orderId, createdAtMs, paymentToken }) =>
          create(PendingOrderSchema, { orderId, customerId: '7', createdAt: timestampFromMs(createdAtMs), paymentToken }),
        ),
        nextPageToken: from + page.length < candidates.length ? String(from + page.length) : '',
      });
    },
    async getOrder({ orderId }: { orderId: string }) {
      return { order: create(OrderSchema, { id: orderId, status: byId.get(orderId)!.status }) };
    },
    async updateOrderStatus(request: UpdateOrderStatusRequest) {
      moves.push(request);
      const order = byId.get(request.orderId)!;
      if (order.status !== request.expectedStatus) throw new Error(`order ${request.orderId} is ${order.status}, not ${request.expectedStatus}`);
      order.status = request.newStatus;
      return { order: create(OrderSchema, { id: order.orderId, status: order.status }) };
    },
  };
  return { client: client as unknown as Client<typeof OrderService>, listed, moves };
}

/** A PENDING order placed `ageMs` ago. */
const pending = (ageMs: number, paymentToken = 'tok_success'): Stored => ({
  orderId: String(nextId++),
  createdAtMs: now - ageMs,
  paymentToken,
  status: OrderStatus.PENDING,
});

function setUp(orders: Stored[], pageSize = 3) {
  const order = fakeOrderService(orders);
  const registry = new Registry();
  const taskQueue = `no-worker-${randomUUID()}`;
  const activities = orphanActivities({
    order: order.client,
    workflows: env.client.workflow,
    taskQueue,
    sagaSettings: { deliveryTimeoutMs: 123_000, awaitCustomerMs: 456_000 },
    registry,
    pageSize,
  });
  return { ...order, registry, taskQueue, activities };
}

/** Runs `fn` as an activity of a sweep workflow, with the heartbeat details a retried attempt would have; collects its heartbeats. */
async function inActivity<R>(fn: () => Promise<R>, heartbeatDetails?: unknown): Promise<{ result: R; heartbeats: OrphanSweep[] }> {
  const activity = new MockActivityEnvironment(
    { workflowExecution: { workflowId: `${orphanOrdersScheduleId}-test`, runId: 'run-1' }, heartbeatDetails },
    { logger: new DefaultLogger('ERROR', () => undefined) },
  );
  const heartbeats: OrphanSweep[] = [];
  activity.on('heartbeat', (details: OrphanSweep) => heartbeats.push(structuredClone(details)));
  return { result: await activity.run(fn), heartbeats };
}

/** The workflow's first input and its type, or undefined when there is none. */
async function startedWith(orderId: string): Promise<{ type: string; taskQueue: string; input: OrderWorkflowInput; runs: number } | undefined> {
  const handle = env.client.workflow.getHandle(orderWorkflowId(orderId));
  const description = await handle.describe().catch(() => undefined);
  if (!description) return undefined;
  const history = await handle.fetchHistory();
  const started = history.events![0]!.workflowExecutionStartedEventAttributes!;
  const input = JSON.parse(Buffer.from(started.input!.payloads![0]!.data!).toString()) as OrderWorkflowInput;
  let runs = 0;
  for await (const _ of env.client.workflow.list({ query: `WorkflowId = '${orderWorkflowId(orderId)}'` })) runs++;
  return { type: description.type, taskQueue: description.taskQueue, input, runs };
}

const counted = async (registry: Registry) =>
  Object.fromEntries((await registry.getSingleMetric('order_orphans_total')!.get()).values.map((v) => [v.labels.outcome, v.value]));

describe('sweepOrphanOrders', () => {
  it('pages through the PENDING orders older than the limit, oldest first, and starts each one’s saga as the gateway would', async () => {
    const orphans = [pending(300_000, 'tok_a'), pending(200_000, 'tok_b'), pending(190_000, 'tok_c'), pending(150_000, 'tok_d'), pending(61_000, 'tok_e')];
    const young = pending(5_000);
    const { activities, listed, taskQueue, registry } = setUp([...orphans, young]);

    const { result, heartbeats } = await inActivity(() => activities.sweepOrphanOrders({ olderThanMs: 60_000 }));
    expect(result).toEqual({ candidates: 5, started: 5, alreadyStarted: 0, untokened: [] });
    // Two pages of three: one heartbeat each, saying where the sweep is.
    expect(listed.map((r) => [r.pageSize, r.pageToken])).toEqual([
      [3, ''],
      [3, '3'],
    ]);
    expect(heartbeats.map((h) => (h as unknown as { pageToken: string }).pageToken)).toEqual(['3', '']);
    const cutoff = timestampDate(listed[0]!.createdBefore!).getTime();
    expect(cutoff).toBeGreaterThanOrEqual(now - 60_000);
    expect(listed.every((r) => timestampDate(r.createdBefore!).getTime() === cutoff)).toBe(true);

    for (const orphan of orphans) {
      expect(await startedWith(orphan.orderId)).toEqual({
        type: 'OrderWorkflow',
        taskQueue,
        input: { orderId: orphan.orderId, paymentToken: orphan.paymentToken, deliveryTimeoutMs: 123_000, awaitCustomerMs: 456_000 },
        runs: 1,
      });
    }
    expect(await startedWith(young.orderId)).toBeUndefined();
    expect(await counted(registry)).toEqual({ started: 5 });
  });

  it('skips an order that has a saga, running or closed, and starts no second run', async () => {
    const [running, closed, orphan] = [pending(120_000), pending(110_000), pending(100_000)];
    const { activities, taskQueue } = setUp([running, closed, orphan]);
    const gatewayStart = (o: Stored) =>
      env.client.workflow.start('OrderWorkflow', {
        taskQueue,
        workflowId: orderWorkflowId(o.orderId),
        args: [{ orderId: o.orderId, paymentToken: o.paymentToken, deliveryTimeoutMs: 123_000, awaitCustomerMs: 456_000 }],
      });
    await gatewayStart(running);
    await (await gatewayStart(closed)).terminate('done with it');

    const { result } = await inActivity(() => activities.sweepOrphanOrders({ olderThanMs: 60_000 }));
    expect(result).toEqual({ candidates: 3, started: 1, alreadyStarted: 2, untokened: [] });
    expect((await startedWith(running.orderId))?.runs).toBe(1);
    expect((await startedWith(closed.orderId))?.runs).toBe(1);
    expect((await startedWith(orphan.orderId))?.runs).toBe(1);
  });

  it('names the orphans placed without a payment token, starting nothing for them; one with a saga is skipped', async () => {
    const [untokened, untokenedWithSaga, tokened] = [pending(90_000, ''), pending(80_000, ''), pending(70_000)];
    const { activities, taskQueue } = setUp([untokened, untokenedWithSaga, tokened]);
    await env.client.workflow.start('OrderWorkflow', { taskQueue, workflowId: orderWorkflowId(untokenedWithSaga.orderId), args: [{}] });

    const { result } = await inActivity(() => activities.sweepOrphanOrders({ olderThanMs: 60_000 }));
    expect(result).toEqual({ candidates: 3, started: 1, alreadyStarted: 1, untokened: [untokened.orderId] });
    expect(await startedWith(untokened.orderId)).toBeUndefined();
  });

  it('goes on from the page its last heartbeat reported, with the same time limit and counts', async () => {
    const orders = [pending(400_000), pending(300_000), pending(200_000), pending(100_000)];
    const { activities, listed } = setUp(orders, 2);
    const createdBeforeMs = now - 60_000;
    const progress = { createdBeforeMs, pageToken: '2', candidates: 2, started: 2, alreadyStarted: 0, untokened: [] };

    const { result } = await inActivity(() => activities.sweepOrphanOrders({ olderThanMs: 60_000 }), progress);
    expect(listed.map((r) => [r.pageToken, timestampDate(r.createdBefore!).getTime()])).toEqual([['2', createdBeforeMs]]);
    expect(result).toEqual({ candidates: 4, started: 4, alreadyStarted: 0, untokened: [] });
    expect(await startedWith(orders[0]!.orderId)).toBeUndefined();
    expect(await startedWith(orders[3]!.orderId)).toBeDefined();
  });
});

describe('cancelOrphanOrder', () => {
  it('moves the order PENDING -> CANCELLING -> CANCELLED with the reason, keyed by the order; a retry moves nothing', async () => {
    const orphan = pending(90_000, '');
    const { activities, moves, registry } = setUp([orphan]);

    expect((await inActivity(() => activities.cancelOrphanOrder(orphan.orderId))).result).toBe(true);
    expect(orphan.status).toBe(OrderStatus.CANCELLED);
    expect(moves.map(({ expectedStatus, newStatus, reason, idempotencyKey }) => ({ expectedStatus, newStatus, reason, idempotencyKey }))).toEqual([
      {
        expectedStatus: OrderStatus.PENDING,
        newStatus: OrderStatus.CANCELLING,
        reason: orphanCancelReason,
        idempotencyKey: `${orphanOrdersScheduleId}-test:orphan-${orphan.orderId}-CANCELLING`,
      },
      {
        expectedStatus: OrderStatus.CANCELLING,
        newStatus: OrderStatus.CANCELLED,
        reason: orphanCancelReason,
        idempotencyKey: `${orphanOrdersScheduleId}-test:orphan-${orphan.orderId}-CANCELLED`,
      },
    ]);
    expect((await inActivity(() => activities.cancelOrphanOrder(orphan.orderId))).result).toBe(true);
    expect(moves).toHaveLength(2);
    expect(await counted(registry)).toEqual({ cancelled: 1 });
  });

  it('finishes a cancel that stopped half-way, and leaves alone an order that moved on', async () => {
    const halfway = { ...pending(90_000, ''), status: OrderStatus.CANCELLING };
    const movedOn = { ...pending(90_000, ''), status: OrderStatus.VALIDATED };
    const { activities, moves } = setUp([halfway, movedOn]);
    expect((await inActivity(() => activities.cancelOrphanOrder(halfway.orderId))).result).toBe(true);
    expect((await inActivity(() => activities.cancelOrphanOrder(movedOn.orderId))).result).toBe(false);
    expect(moves.map((m) => [m.orderId, m.newStatus])).toEqual([[halfway.orderId, OrderStatus.CANCELLED]]);
    expect(movedOn.status).toBe(OrderStatus.VALIDATED);
  });
});

describe('OrphanOrdersWorkflow on its schedule', () => {
  it('is created once and updated after (SKIP overlaps), and a run starts the orphans’ sagas and cancels the untokened ones', async () => {
    const [tokened, untokened] = [pending(200_000), pending(100_000, '')];
    const { activities, taskQueue: ordersQueue } = setUp([tokened, untokened]);
    const sweepQueue = `sweeps-${randomUUID()}`;
    const settings = { taskQueue: sweepQueue, everyMs: 3_600_000, olderThanMs: 60_000 };
    expect(await scheduleOrphanSweeps(env.client, settings)).toBe('created');
    expect(await scheduleOrphanSweeps(env.client, { ...settings, everyMs: 7_200_000 })).toBe('updated');
    const schedule = env.client.schedule.getHandle(orphanOrdersScheduleId);
    const described = await schedule.describe();
    expect(described.spec.intervals).toMatchObject([{ every: 7_200_000 }]);
    expect(described.policies.overlap).toBe('SKIP');
    expect(described.action).toMatchObject({ workflowType: 'OrphanOrdersWorkflow', taskQueue: sweepQueue, args: [{ olderThanMs: 60_000 }] });

    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: sweepQueue, workflowBundle: bundle, activities });
    await worker.runUntil(async () => {
      await schedule.trigger();
      const run = await waitFor(async () => (await schedule.describe()).info.recentActions.at(-1)?.action.workflow);
      const result = await env.client.workflow.getHandle(run.workflowId, run.firstExecutionRunId).result();
      expect(result).toEqual({ candidates: 2, started: 1, alreadyStarted: 0, cancelled: 1 });
    });
    expect((await startedWith(tokened.orderId))?.taskQueue).toBe(ordersQueue);
    expect(untokened.status).toBe(OrderStatus.CANCELLED);
    await schedule.delete();
  });
});

/** Polls `read` until it answers something, within a bounded number of tries. */
async function waitFor<T>(read: () => Promise<T | undefined>, tries = 100): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('gave up waiting');
}
