/**
 * Sharding by customer on two real Postgres servers: shard 0 (the catalog)
 * on the machine's server, shard 1 on an embedded one of its own, and the
 * real order-service in front over gRPC. Buckets are moved here by hand,
 * row by row, to play a router with a stale map.
 */
import { randomUUID } from 'node:crypto';
import { Code, type Client } from '@connectrpc/connect';
import { OrderService } from '@oms/contracts/order/v1';
import { withClient } from '@oms/db';
import { serviceClient, type RpcServer } from '@oms/platform';
import { cloneTemplate, rpcError, startExtraPostgres, testServiceEnv, type ExtraPostgres, type TestDatabase } from '@oms/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOrderService } from '../src/main';
import { bucketOfKey, customerBucket } from '../src/shards/ids';
import { startFakeInventory, type FakeInventory } from './fake-inventory';

let shard0: TestDatabase;
let secondServer: ExtraPostgres;
let shard1Url: string;
let inventory: FakeInventory;
let server: RpcServer;
let orders: Client<typeof OrderService>;

beforeAll(async () => {
  shard0 = await cloneTemplate('oms_order');
  secondServer = await startExtraPostgres();
  shard1Url = secondServer.orderShardUrl;
  inventory = await startFakeInventory();
  server = await startOrderService({
    ...testServiceEnv(shard0.url),
    ORDER_SHARD_URLS: shard1Url,
    INVENTORY_SERVICE_URL: inventory.server.url,
    // Every GetOrder reads its shard: the moves below must be seen at once.
    ORDER_CACHE_TTL_MS: '0',
  });
  orders = serviceClient(OrderService, server.url);
}, 120_000);

afterAll(async () => {
  await server?.close();
  await inventory?.server.close();
  secondServer?.remove();
  await shard0?.drop();
});

const shardUrl = (shard: number) => [shard0.url, shard1Url][shard]!;
const sql = <T>(shard: number, text: string, values: unknown[] = []) => withClient(shardUrl(shard), async (c) => (await c.query(text, values)).rows as T[]);

/** The shard the catalog's newest map gives a bucket. */
async function mappedShard(bucket: number): Promise<number> {
  const [row] = await sql<{ shard: number }>(0, 'SELECT shard FROM bucket_map WHERE version = (SELECT max(version) FROM shard_map_versions) AND bucket = $1', [
    bucket,
  ]);
  return row!.shard;
}

/** An idempotency key whose customer lands on `shard` under the current map. */
async function keyOn(shard: number): Promise<string> {
  for (;;) {
    const key = randomUUID();
    if ((await mappedShard(bucketOfKey(key))) === shard) return key;
  }
}

const address = { name: 'Ada Lovelace', line1: '1 Analytical Way', line2: '', city: 'London', postalCode: 'N1 9GU', country: 'GB' };

async function customerOn(shard: number): Promise<string> {
  const { customer } = await orders.createCustomer({
    name: 'Ada Lovelace',
    email: 'ada@example.com',
    shippingAddress: address,
    idempotencyKey: await keyOn(shard),
  });
  return customer!.id;
}

async function placeOrder(customerId: string): Promise<string> {
  const { order } = await orders.createOrder({ customerId, lines: [{ sku: inventory.stock(1500n), quantity: 2 }], idempotencyKey: randomUUID() });
  return order!.id;
}

/** Which shards hold the row with this id in `table`. */
async function holders(table: 'customers' | 'orders', id: string): Promise<number[]> {
  const found = await Promise.all([0, 1].map(async (shard) => (await sql(shard, `SELECT 1 FROM ${table} WHERE id = $1`, [id])).length > 0));
  return found.flatMap((here, shard) => (here ? [shard] : []));
}

/**
 * Moves a bucket's rows from one shard to the other and hands it over: what
 * the resharding workflow will do (with a fence and two-phase commit); here
 * the service is not told, so its map is stale.
 */
async function moveBucket(bucket: number, from: number, to: number): Promise<void> {
  const tables = [
    ['customers', 'bucket = $1'],
    ['orders', 'bucket = $1'],
    ['order_items', 'order_id IN (SELECT id FROM orders WHERE bucket = $1)'],
    ['order_status_history', 'order_id IN (SELECT id FROM orders WHERE bucket = $1)'],
  ] as const;
  for (const [table, where] of tables) {
    const [row] = await sql<{ rows: unknown }>(from, `SELECT coalesce(json_agg(t), '[]')::text AS rows FROM ${table} t WHERE ${where}`, [bucket]);
    await sql(to, `INSERT INTO ${table} SELECT * FROM json_populate_recordset(NULL::${table}, $1)`, [row!.rows]);
  }
  for (const [table, where] of [...tables].reverse()) await sql(from, `DELETE FROM ${table} WHERE ${where}`, [bucket]);
  await sql(from, 'DELETE FROM owned_buckets WHERE bucket = $1', [bucket]);
  const [{ version }] = (await sql<{ version: number }>(0, 'SELECT max(version) + 1 AS version FROM shard_map_versions')) as [{ version: number }];
  await sql(to, 'INSERT INTO owned_buckets (bucket, map_version) VALUES ($1, $2)', [bucket, version]);
  await sql(
    0,
    `WITH v AS (INSERT INTO shard_map_versions (version, reason) VALUES ($3, 'test: move bucket ' || $1::text) RETURNING version)
     INSERT INTO bucket_map (version, bucket, shard)
     SELECT v.version, m.bucket, CASE WHEN m.bucket = $1::smallint THEN $2::smallint ELSE m.shard END FROM bucket_map m, v
     WHERE m.version = v.version - 1`,
    [bucket, to, version],
  );
}

describe('routing by customer', () => {
  it('starts with the buckets split between the two shards, each shard knowing its own', async () => {
    const owned = await Promise.all([0, 1].map(async (shard) => (await sql<{ n: number }>(shard, 'SELECT count(*)::int AS n FROM owned_buckets'))[0]!.n));
    expect(owned).toEqual([512, 512]);
    expect(await sql(1, 'SELECT shard FROM shard_identity')).toEqual([{ shard: 1 }]);
  });

  it("places each customer and their orders on their bucket's shard, and nowhere else", async () => {
    for (const shard of [0, 1]) {
      const customerId = await customerOn(shard);
      const orderId = await placeOrder(customerId);
      expect(await holders('customers', customerId)).toEqual([shard]);
      expect(await holders('orders', orderId)).toEqual([shard]);
      expect(customerBucket(BigInt(orderId))).toBe(customerBucket(BigInt(customerId)));
      const { order } = await orders.getOrder({ orderId });
      expect(order!.customerId).toBe(customerId);
      expect((await orders.listOrders({ customerId })).orders.map((o) => o.id)).toEqual([orderId]);
      expect((await orders.getCustomer({ customerId })).customer!.id).toBe(customerId);
    }
  });

  it('sends a retried CreateCustomer to the same shard, which replays it', async () => {
    const request = { name: 'Grace Hopper', email: 'grace@example.com', idempotencyKey: await keyOn(1) };
    const first = await orders.createCustomer(request);
    const again = await orders.createCustomer(request);
    expect(again.customer!.id).toBe(first.customer!.id);
    expect(await holders('customers', first.customer!.id)).toEqual([1]);
  });
});

describe('a router with a stale map', () => {
  it('is refused by the old shard, reloads the map and is served by the new one', async () => {
    const customerId = await customerOn(0);
    const orderId = await placeOrder(customerId);
    const bucket = customerBucket(BigInt(customerId));
    await moveBucket(bucket, 0, 1);

    // Reads find nothing on the old shard, which says it does not own the bucket: the router asks the new one.
    expect((await orders.getOrder({ orderId })).order!.id).toBe(orderId);
    // A write is refused by the old shard's guard and lands on the new one.
    const second = await placeOrder(customerId);
    expect(await holders('orders', second)).toEqual([1]);
    expect(await holders('orders', orderId)).toEqual([1]);
    expect((await orders.listOrders({ customerId })).orders.map((o) => o.id).sort()).toEqual([orderId, second].sort());
  });

  it('answers UNAVAILABLE while no shard owns the bucket (the middle of a move), and writes nothing', async () => {
    const customerId = await customerOn(1);
    const bucket = customerBucket(BigInt(customerId));
    await sql(1, 'DELETE FROM owned_buckets WHERE bucket = $1', [bucket]);
    const before = await sql<{ n: number }>(1, 'SELECT count(*)::int AS n FROM orders');
    const error = await rpcError(placeOrder(customerId));
    expect(error.code).toBe(Code.Unavailable);
    expect(error.rawMessage).toContain(`bucket ${bucket} is moving`);
    expect(await sql<{ n: number }>(1, 'SELECT count(*)::int AS n FROM orders')).toEqual(before);
    await sql(1, 'INSERT INTO owned_buckets (bucket, map_version) VALUES ($1, 1)', [bucket]);
    expect(await holders('orders', await placeOrder(customerId))).toEqual([1]);
  });
});

describe('a shard that is down', () => {
  it("fails only its own customers' calls, UNAVAILABLE and named; GetOrder never asks another shard", async () => {
    const [onZero, onOne] = [await customerOn(0), await customerOn(1)];
    const [orderZero, orderOne] = [await placeOrder(onZero), await placeOrder(onOne)];
    secondServer.stop('immediate');
    try {
      expect((await orders.getOrder({ orderId: orderZero })).order!.id).toBe(orderZero);
      const placed = await placeOrder(onZero);
      expect(await sql(0, 'SELECT status FROM orders WHERE id = $1', [placed])).toEqual([{ status: 'PENDING' }]);
      for (const call of [orders.getOrder({ orderId: orderOne }), placeOrder(onOne), orders.getCustomer({ customerId: onOne })]) {
        const error = await rpcError(call);
        expect(error.code).toBe(Code.Unavailable);
        expect(error.rawMessage).toContain('order shard 1');
      }
    } finally {
      await secondServer.start();
    }
    expect((await orders.getOrder({ orderId: orderOne })).order!.id).toBe(orderOne);
  });
});
