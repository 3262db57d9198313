/**
 * Moving a bucket between shards on real, separate Postgres servers with
 * prepared transactions: shard 0 (the catalog) and shard 1 on two embedded
 * servers of their own, shard 2 on the machine's server, which has
 * max_prepared_transactions = 0. The real order-service serves the moves
 * over gRPC; the coordinator-crash tests run it as a process that kills
 * itself between PREPARE and COMMIT PREPARED.
 */
import { randomUUID } from 'node:crypto';
import { Code, type Client } from '@connectrpc/connect';
import { OrderService } from '@oms/contracts/order/v1';
import { BucketMoveService } from '@oms/contracts/order/v1/bucket-moves';
import { withClient } from '@oms/db';
import { startAppProcess } from '@oms/devstack';
import { serviceClient, type RpcServer } from '@oms/platform';
import { cloneTemplate, rpcError, startExtraPostgres, testServiceEnv, type ExtraPostgres, type TestDatabase } from '@oms/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOrderService } from '../src/main';
import { bucketOfKey } from '../src/shards/ids';
import { startFakeInventory, type FakeInventory } from './fake-inventory';

const twoPhase = { max_prepared_transactions: '10' };
let first: ExtraPostgres;
let second: ExtraPostgres;
let noPrepare: TestDatabase;
let inventory: FakeInventory;
let server: RpcServer;
let orders: Client<typeof OrderService>;
let moves: Client<typeof BucketMoveService>;
let env: Record<string, string>;

beforeAll(async () => {
  [first, second] = await Promise.all([startExtraPostgres({ settings: twoPhase, database: 'oms_order' }), startExtraPostgres({ settings: twoPhase })]);
  noPrepare = await cloneTemplate('oms_order');
  inventory = await startFakeInventory();
  env = {
    ...testServiceEnv(first.orderShardUrl),
    ORDER_SHARD_URLS: [second.orderShardUrl, noPrepare.url].join(','),
    INVENTORY_SERVICE_URL: inventory.server.url,
    ORDER_CACHE_TTL_MS: '0',
  };
  server = await startOrderService(env);
  orders = serviceClient(OrderService, server.url);
  moves = serviceClient(BucketMoveService, server.url);
}, 180_000);

afterAll(async () => {
  await server?.close();
  await inventory?.server.close();
  first?.remove();
  second?.remove();
  await noPrepare?.drop();
});

const urls = () => [first.orderShardUrl, second.orderShardUrl, noPrepare.url];
const sql = <T>(shard: number, text: string, values: unknown[] = []) => withClient(urls()[shard]!, async (c) => (await c.query(text, values)).rows as T[]);

/** A bucket of shard 0 no test has used (three shards: 0–341 are shard 0's). */
let nextBucket = 10;
const freshBucket = () => nextBucket++;

/** An idempotency key whose new customer lands in `bucket`. */
function keyIn(bucket: number): string {
  for (;;) {
    const key = randomUUID();
    if (bucketOfKey(key) === bucket) return key;
  }
}

const address = { name: 'Ada Lovelace', line1: '1 Analytical Way', line2: '', city: 'London', postalCode: 'N1 9GU', country: 'GB' };

async function customerIn(bucket: number, key = keyIn(bucket)): Promise<string> {
  const { customer } = await orders.createCustomer({ name: 'Ada Lovelace', email: 'ada@example.com', shippingAddress: address, idempotencyKey: key });
  return customer!.id;
}

async function placeOrder(customerId: string, idempotencyKey = randomUUID()): Promise<string> {
  const { order } = await orders.createOrder({ customerId, lines: [{ sku: inventory.stock(1500n), quantity: 2 }], idempotencyKey });
  return order!.id;
}

const tables = ['customers', 'orders', 'order_items', 'order_status_history', 'idempotency_keys'] as const;

/** The bucket's rows per table on a shard. */
async function rowsOn(shard: number, bucket: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const where = table === 'order_items' || table === 'order_status_history' ? 'order_id IN (SELECT id FROM orders WHERE bucket = $1)' : 'bucket = $1';
    counts[table] = (await sql<{ n: number }>(shard, `SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, [bucket]))[0]!.n;
  }
  return counts;
}

const none = { customers: 0, orders: 0, order_items: 0, order_status_history: 0, idempotency_keys: 0 };

async function owners(bucket: number): Promise<number[]> {
  const owned = await Promise.all([0, 1].map(async (shard) => (await sql(shard, 'SELECT 1 FROM owned_buckets WHERE bucket = $1', [bucket])).length > 0));
  return owned.flatMap((here, shard) => (here ? [shard] : []));
}

const mappedShard = async (bucket: number) =>
  (await sql<{ shard: number }>(0, 'SELECT shard FROM bucket_map WHERE version = (SELECT max(version) FROM shard_map_versions) AND bucket = $1', [bucket]))[0]!
    .shard;

const preparedOn = async (shard: number) => (await sql<{ gid: string }>(shard, 'SELECT gid FROM pg_prepared_xacts ORDER BY gid')).map((r) => r.gid);

/** A bucket of shard 0 with two customers, one with two orders, one with one. */
async function populatedBucket(): Promise<{ bucket: number; customers: string[]; orderIds: string[]; firstKey: string }> {
  const bucket = freshBucket();
  const firstKey = keyIn(bucket);
  const customers = [await customerIn(bucket, firstKey), await customerIn(bucket)];
  const orderIds = [await placeOrder(customers[0]!), await placeOrder(customers[0]!), await placeOrder(customers[1]!)];
  return { bucket, customers, orderIds, firstKey };
}

const move = (bucket: number, targetShard = 1) => ({ move: { moveId: `test-${bucket}`, bucket, targetShard } });

describe('moving a bucket', () => {
  it('copies, catches up and cuts over: the rows and keys are on the target only, which serves them', async () => {
    const { bucket, customers, orderIds, firstKey } = await populatedBucket();
    const before = await rowsOn(0, bucket);
    expect(before).toEqual({ customers: 2, orders: 3, order_items: 3, order_status_history: 3, idempotency_keys: 5 });

    expect(await moves.prepareMove(move(bucket))).toMatchObject({ sourceShard: 0, done: false });
    const copied = await moves.copyBucket(move(bucket));
    expect(copied.rows).toBe(16n);
    expect(await rowsOn(1, bucket)).toEqual(before);

    // Written after the copy: a new order, and a change to an old one.
    orderIds.push(await placeOrder(customers[1]!));
    await orders.updateOrderStatus({ orderId: orderIds[0]!, expectedStatus: 1, newStatus: 8, reason: 'customer asked', idempotencyKey: randomUUID() });
    const caughtUp = await moves.catchUpBucket(move(bucket));
    // the new order, its item, history and key; the changed order, its new history row and key
    expect(caughtUp.rowsChanged).toBe(7n);

    const cut = await moves.cutOverBucket(move(bucket));
    expect(cut.fenceMs).toBeGreaterThan(0);
    expect(cut.rowsChanged).toBe(0n);
    expect(Object.fromEntries(cut.verified.map((t) => [t.table, Number(t.rows)]))).toEqual({
      customers: 2,
      orders: 4,
      order_items: 4,
      order_status_history: 5,
      idempotency_keys: 7,
    });

    expect(await rowsOn(0, bucket)).toEqual(none);
    expect(await rowsOn(1, bucket)).toEqual({ customers: 2, orders: 4, order_items: 4, order_status_history: 5, idempotency_keys: 7 });
    expect(await owners(bucket)).toEqual([1]);
    expect(await mappedShard(bucket)).toBe(1);
    expect(cut.mapVersion).toBe((await sql<{ v: number }>(0, 'SELECT max(version) AS v FROM shard_map_versions'))[0]!.v);
    expect([...(await preparedOn(0)), ...(await preparedOn(1))]).toEqual([]);

    // Served from the target: reads, a new write, and a replayed key (no second customer).
    for (const orderId of orderIds) expect((await orders.getOrder({ orderId })).order!.id).toBe(orderId);
    expect(await customerIn(bucket, firstKey)).toBe(customers[0]);
    await placeOrder(customers[0]!);
    expect((await rowsOn(1, bucket)).customers).toBe(2);
    expect((await rowsOn(1, bucket)).orders).toBe(5);
    expect(await moves.prepareMove(move(bucket))).toMatchObject({ sourceShard: 1, done: true });
  });

  it('loses and doubles no order placed while the bucket moves', async () => {
    const { bucket, customers } = await populatedBucket();
    let placing = true;
    const placed: string[] = [];
    const keepPlacing = async (customerId: string) => {
      while (placing) {
        const key = randomUUID();
        // As the saga does: UNAVAILABLE (the bucket fenced or just moved) is retried with the same key.
        for (;;) {
          try {
            placed.push(await placeOrder(customerId, key));
            break;
          } catch (error) {
            expect((error as { code?: Code }).code).toBe(Code.Unavailable);
          }
        }
      }
    };
    const load = Promise.all(customers.map(keepPlacing));
    await moves.copyBucket(move(bucket));
    await moves.catchUpBucket(move(bucket));
    await moves.cutOverBucket(move(bucket));
    await new Promise((r) => setTimeout(r, 200));
    placing = false;
    await load;
    const stored = await sql<{ id: string }>(1, 'SELECT id::text FROM orders WHERE bucket = $1', [bucket]);
    expect(stored.map((r) => r.id).sort()).toEqual([...new Set([...placed, ...stored.map((r) => r.id)])].sort());
    expect(new Set(placed).size).toBe(placed.length);
    expect(stored.length).toBe(placed.length + 3);
    expect(await rowsOn(0, bucket)).toEqual(none);
  });

  it('refuses a move to a server with max_prepared_transactions = 0, saying what to change, and changes nothing', async () => {
    const bucket = freshBucket();
    const error = await rpcError(moves.prepareMove(move(bucket, 2)));
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(error.rawMessage).toMatch(/order shard 2 .* has max_prepared_transactions = 0.*set max_prepared_transactions/);
    expect(await mappedShard(bucket)).toBe(0);
  });

  it('refuses a shard that is not configured', async () => {
    const error = await rpcError(moves.prepareMove(move(freshBucket(), 7)));
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.rawMessage).toContain('there is no order shard 7: 3 are configured');
  });

  it('leaves the bucket where it was when the move is abandoned before its cut-over', async () => {
    const { bucket } = await populatedBucket();
    const before = await rowsOn(0, bucket);
    await moves.copyBucket(move(bucket));
    expect((await moves.abandonMove(move(bucket))).rowsDeleted).toBe(16n);
    expect(await rowsOn(1, bucket)).toEqual(none);
    expect(await rowsOn(0, bucket)).toEqual(before);
    expect(await owners(bucket)).toEqual([0]);
  });

  it('pauses while the target server is down and goes on when it is back', async () => {
    const { bucket } = await populatedBucket();
    second.stop('immediate');
    try {
      const error = await rpcError(moves.copyBucket(move(bucket)));
      expect(error.code).toBe(Code.Unavailable);
    } finally {
      await second.start();
    }
    expect((await moves.copyBucket(move(bucket))).rows).toBe(16n);
    await moves.cutOverBucket(move(bucket));
    expect(await owners(bucket)).toEqual([1]);
  });
});

describe('a coordinator killed between PREPARE and COMMIT PREPARED', () => {
  /** Runs the cut-over in an order-service process that kills itself at `crashAt`; returns the prepared transactions it left. */
  async function crashedCutOver(bucket: number, crashAt: string): Promise<string[]> {
    const app = await startAppProcess('order-service', { ...env, LOG_LEVEL: 'warn', ORDER_MOVE_CRASH_AT: crashAt });
    try {
      const crashing = serviceClient(BucketMoveService, app.url);
      await crashing.copyBucket(move(bucket));
      await rpcError(crashing.cutOverBucket(move(bucket)));
      expect(await app.stop()).toBeNull(); // it had died: killed by its own fault hook
      expect(app.child.signalCode).toBe('SIGKILL');
    } finally {
      await app.stop('SIGKILL');
    }
    return [...(await preparedOn(0)), ...(await preparedOn(1))];
  }

  it('before the decision: the fenced writes are refused as retryable, and recovery rolls both back', async () => {
    const { bucket, customers, orderIds } = await populatedBucket();
    const before = await rowsOn(0, bucket);
    const left = await crashedCutOver(bucket, 'after-prepare');
    expect(left).toHaveLength(2);
    expect(left.every((gid) => gid.startsWith(`oms_move:test-${bucket}:${bucket}:`))).toBe(true);

    // The source's prepared transaction holds the fence: a write waits, then is told to retry.
    const fenced = await rpcError(placeOrder(customers[0]!));
    expect(fenced.code).toBe(Code.Unavailable);

    expect(await moves.resolveInDoubt({})).toEqual(expect.objectContaining({ committed: 0, rolledBack: 2 }));
    expect([...(await preparedOn(0)), ...(await preparedOn(1))]).toEqual([]);
    expect(await rowsOn(0, bucket)).toEqual(before);
    expect(await owners(bucket)).toEqual([0]);
    expect(await mappedShard(bucket)).toBe(0);
    expect((await orders.getOrder({ orderId: orderIds[0]! })).order!.id).toBe(orderIds[0]);

    // The move is retried and completes.
    await moves.cutOverBucket(move(bucket));
    expect(await owners(bucket)).toEqual([1]);
    expect(await rowsOn(0, bucket)).toEqual(none);
  });

  it('after the decision: recovery at the next start commits both', async () => {
    const { bucket } = await populatedBucket();
    const before = await rowsOn(0, bucket);
    expect(await crashedCutOver(bucket, 'after-decision')).toHaveLength(2);
    expect(await mappedShard(bucket)).toBe(1); // decided: the map already says so

    const restarted = await startOrderService({ ...env, ORDER_MOVE_IN_DOUBT_AFTER_MS: '0' });
    try {
      await expect.poll(async () => [...(await preparedOn(0)), ...(await preparedOn(1))], { timeout: 20_000 }).toEqual([]);
    } finally {
      await restarted.close();
    }
    expect(await rowsOn(1, bucket)).toEqual(before);
    expect(await rowsOn(0, bucket)).toEqual(none);
    expect(await owners(bucket)).toEqual([1]);
  });
});
