/**
 * Moving buckets end to end: the real worker and services (processes), a
 * real Temporal dev server, and order shards 0 and 1 on two Postgres servers
 * of their own that allow prepared transactions. Orders keep flowing for the
 * customers of the buckets being moved; afterwards every order ended as it
 * would have without the move, and money, stock and shipments add up. Then
 * the worker is killed in the middle of a copy, and the move still ends with
 * every row once, on the target only.
 */
import { randomUUID } from 'node:crypto';
import { OrderStatus } from '@oms/contracts/order/v1';
import { progressQuery, reshardWorkflowId, type ReshardInput } from '@oms/contracts/workflows';
import { withClient } from '@oms/db';
import { createCustomer, startExtraPostgres, startStack, type ExtraPostgres, type Stack } from '@oms/testing';
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReshardWorkflow } from '../src/workflows/reshard-workflow';

const twoPhase = { max_prepared_transactions: '10' };
let servers: ExtraPostgres[] = [];
let stack: Stack;

beforeAll(async () => {
  servers = await Promise.all([startExtraPostgres({ settings: twoPhase, database: 'oms_order' }), startExtraPostgres({ settings: twoPhase })]);
  stack = await startStack({ orderDatabases: { url: servers[0]!.orderShardUrl, shardUrls: [servers[1]!.orderShardUrl] } });
}, 240_000);

afterAll(async () => {
  await stack?.stop();
  for (const server of servers) server.remove();
});

const shardSql = <T>(shard: number, text: string, values: unknown[] = []) =>
  withClient(servers[shard]!.orderShardUrl, async (c) => (await c.query(text, values)).rows as T[]);

const serviceSql = <T>(app: string, text: string, values: unknown[] = []) =>
  withClient(stack.databases[app]!.url, async (c) => (await c.query(text, values)).rows as T[]);

/** The shards holding a row of `table` with this id. */
const holders = async (table: 'customers' | 'orders', id: string) =>
  (await Promise.all([0, 1].map(async (shard) => (await shardSql(shard, `SELECT 1 FROM ${table} WHERE id = $1`, [id])).length > 0))).flatMap((here, shard) =>
    here ? [shard] : [],
  );

/** New customers until `count` of them live on shard 0 (a new customer's bucket comes from its idempotency key). */
async function customersOnShard0(count: number): Promise<{ customerId: string; bucket: number }[]> {
  const found: { customerId: string; bucket: number }[] = [];
  while (found.length < count) {
    const customerId = await createCustomer(stack);
    const [row] = await shardSql<{ bucket: number }>(0, 'SELECT bucket FROM customers WHERE id = $1', [customerId]);
    if (row) found.push({ customerId, bucket: row.bucket });
  }
  return found;
}

function startMove(input: Omit<ReshardInput, 'moveId' | 'targetShard'>): Promise<WorkflowHandle<typeof ReshardWorkflow>> {
  const moveId = `e2e-${randomUUID().slice(0, 8)}`;
  return stack.temporal.client.workflow.start<typeof ReshardWorkflow>('ReshardWorkflow', {
    taskQueue: stack.taskQueue,
    workflowId: reshardWorkflowId(moveId),
    args: [{ moveId, targetShard: 1, ...input }],
  });
}

/** Owners per bucket: from each shard's owned_buckets, and the catalog's newest map. */
async function ownership(buckets: number[]): Promise<{ owners: number[][]; mapped: number[] }> {
  const owners = await Promise.all(
    buckets.map(async (bucket) =>
      (await Promise.all([0, 1].map(async (shard) => (await shardSql(shard, 'SELECT 1 FROM owned_buckets WHERE bucket = $1', [bucket])).length > 0))).flatMap(
        (here, shard) => (here ? [shard] : []),
      ),
    ),
  );
  const mapped = await Promise.all(
    buckets.map(
      async (bucket) =>
        (
          await shardSql<{ shard: number }>(0, 'SELECT shard FROM bucket_map WHERE version = (SELECT max(version) FROM shard_map_versions) AND bucket = $1', [
            bucket,
          ])
        )[0]!.shard,
    ),
  );
  return { owners, mapped };
}

const preparedTransactions = async () =>
  (await Promise.all([0, 1].map((shard) => shardSql<{ gid: string }>(shard, 'SELECT gid FROM pg_prepared_xacts')))).flat();

const eur = (amountMinor: bigint) => ({ amountMinor, currency: 'EUR' });

describe('moving buckets with the whole system running', () => {
  it('moves the buckets of customers whose orders keep coming: each order completes once, on the target, and money, stock and shipments add up', async () => {
    const customers = await customersOnShard0(3);
    const buckets = [...new Set(customers.map((c) => c.bucket))];
    const initialStock = 500;
    await stack.inventory.createProduct({ sku: 'MOVE-MUG', name: 'Mug', unitPrice: eur(1500n), initialStock, idempotencyKey: randomUUID() });
    const wave = () => Promise.all(customers.map(({ customerId }, i) => stack.placeOrder(customerId, [{ sku: 'MOVE-MUG', quantity: 1 + i }], 'tok_success')));

    // Orders before the move (rows to copy), then waves of orders until the move is over: their sagas write while it copies, catches up and fences.
    const placed = await wave();
    const move = await startMove({ buckets });
    let moving = true;
    const result = move.result().finally(() => (moving = false));
    while (moving || placed.length < 8 * customers.length) placed.push(...(await wave()));
    const progress = await result;

    expect(progress).toMatchObject({ state: 'done', moved: buckets });
    expect(progress.fencesMs).toHaveLength(buckets.length);
    for (const { customerId } of customers) expect(await holders('customers', customerId)).toEqual([1]);
    for (const { orderId, outcome } of placed) {
      expect(outcome).toMatchObject({ status: 'COMPLETED' });
      expect((await stack.orders.getOrder({ orderId })).order!.status).toBe(OrderStatus.COMPLETED);
      expect(await holders('orders', orderId)).toEqual([1]);
    }
    expect(await ownership(buckets)).toEqual({ owners: buckets.map(() => [1]), mapped: buckets.map(() => 1) });
    expect(await preparedTransactions()).toEqual([]);

    // Money: each order charged once, its total, nothing refunded.
    const orderIds = placed.map((p) => p.orderId);
    const payments = await serviceSql<{ order_id: string; charged: string; refunded: string }>(
      'payment-service',
      `SELECT order_id::text, sum(amount_minor)::text AS charged, sum(refunded_minor)::text AS refunded FROM payments
        WHERE status <> 'DECLINED' AND order_id = ANY($1::bigint[]) GROUP BY order_id`,
      [orderIds],
    );
    expect(payments).toHaveLength(placed.length);
    const totals = new Map(placed.map((p) => [p.orderId, p.totalMinor]));
    for (const payment of payments) expect(BigInt(payment.charged) - BigInt(payment.refunded)).toBe(totals.get(payment.order_id));

    // Stock: every unit accounted for, the ordered ones committed.
    const { product } = await stack.inventory.getProduct({ sku: 'MOVE-MUG' });
    const ordered = placed.length / customers.length;
    expect(product).toMatchObject({ reserved: 0, committed: ordered * (1 + 2 + 3) });
    expect(product!.available + product!.committed).toBe(initialStock);

    // Shipments: one live shipment per order.
    const shipments = await serviceSql<{ n: number }>(
      'shipping-service',
      `SELECT count(*)::int AS n FROM shipments WHERE order_id = ANY($1::bigint[]) AND status <> 'CANCELLED'`,
      [orderIds],
    );
    expect(shipments[0]!.n).toBe(placed.length);
  });

  it('finishes a move whose worker was killed in the middle of a copy: every row once, on the target only', async () => {
    const { customerId, bucket } = (await customersOnShard0(1))[0]!;
    // A big bucket, so that the copy takes seconds: 40,000 orders of the customer, made in SQL.
    await shardSql(
      0,
      `WITH made AS (
         INSERT INTO orders (id, customer_id, bucket, status, total_minor, currency)
         SELECT (1::bigint << 62) | (g::bigint << 10) | $2, $1, $2, 'COMPLETED', 1500, 'EUR' FROM generate_series(1, 40000) g RETURNING id),
       items AS (INSERT INTO order_items SELECT id, 'BULK-MUG', 'Mug', 1, 1500, 1500 FROM made)
       INSERT INTO order_status_history (order_id, seq, to_status, reason) SELECT id, 1, 'COMPLETED', 'imported' FROM made`,
      [customerId, bucket],
    );
    const counts = (shard: number) =>
      shardSql<{ orders: number; items: number; history: number }>(
        shard,
        `SELECT (SELECT count(*)::int FROM orders WHERE bucket = $1) AS orders,
                (SELECT count(*)::int FROM order_items i JOIN orders o ON o.id = i.order_id WHERE o.bucket = $1) AS items,
                (SELECT count(*)::int FROM order_status_history h JOIN orders o ON o.id = h.order_id WHERE o.bucket = $1) AS history`,
        [bucket],
      ).then((rows) => rows[0]!);
    const before = await counts(0);
    expect(before.orders).toBe(40_000);

    const move = await startMove({ buckets: [bucket], heartbeatTimeoutMs: 2_000 });
    for (;;) {
      const progress = await move.query(progressQuery);
      if (progress.current?.step === 'copy') break;
      expect(progress.state).toBe('running');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await stack.restart('orchestrator');

    expect(await move.result()).toMatchObject({ state: 'done', moved: [bucket] });
    expect(await counts(1)).toEqual(before);
    expect(await counts(0)).toEqual({ orders: 0, items: 0, history: 0 });
    expect(await holders('customers', customerId)).toEqual([1]);
    expect(await ownership([bucket])).toEqual({ owners: [[1]], mapped: [1] });
    expect(await preparedTransactions()).toEqual([]);
    // The copy ran again on the new worker: the first attempt's worker was gone.
    const { events } = await move.fetchHistory();
    const copyAttempts = events!.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'copyBucket').length;
    const retried = events!.some((e) => (e.activityTaskStartedEventAttributes?.attempt ?? 1) > 1);
    expect({ copyAttempts, retried }).toEqual({ copyAttempts: 1, retried: true });
  });
});
