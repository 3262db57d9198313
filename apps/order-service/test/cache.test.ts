/**
 * GetOrder's read-through cache: hits are counted, writes in this process
 * invalidate, and another replica's write is seen once the TTL runs out.
 */
import { randomUUID } from 'node:crypto';
import { Code, type Client } from '@connectrpc/connect';
import { OrderService, OrderStatus, type Order } from '@oms/contracts/order/v1';
import { withClient } from '@oms/db';
import { serviceClient, type RpcServer } from '@oms/platform';
import { cloneTemplate, rpcError, testServiceEnv, type TestDatabase } from '@oms/testing';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderCache } from '../src/cache';
import { startOrderService } from '../src/main';
import { orderMetrics } from '../src/metrics';

let db: TestDatabase;
const servers: RpcServer[] = [];

beforeAll(async () => {
  db = await cloneTemplate('oms_order');
});

afterAll(async () => {
  for (const server of servers) await server.close();
  await db?.drop();
});

async function startServer(ttlMs: number) {
  const server = await startOrderService({ ...testServiceEnv(db.url), ORDER_CACHE_TTL_MS: String(ttlMs) });
  servers.push(server);
  return { server, orders: serviceClient(OrderService, server.url) };
}

/** An order inserted directly (CreateOrder would need inventory for prices). */
async function insertOrder(): Promise<string> {
  return withClient(db.url, async (client) => {
    const customer = await client.query<{ id: string }>(
      `INSERT INTO customers (id, bucket, first_name, email) VALUES (new_row_id(7::smallint), 7, 'Ada', 'ada@example.com') RETURNING id`,
    );
    const order = await client.query<{ id: string }>(
      `INSERT INTO orders (id, bucket, customer_id, status, total_minor, currency, updated_at) VALUES (new_row_id(7::smallint), 7, $1, 'PENDING', 100, 'EUR', now()) RETURNING id`,
      [customer.rows[0]!.id],
    );
    return order.rows[0]!.id;
  });
}

/** What another replica does: write the order's status straight into the database. */
const writeStatusDirectly = (orderId: string, status: string) =>
  withClient(db.url, (client) => client.query(`UPDATE orders SET status = $2::order_status WHERE id = $1`, [orderId, status]));

async function cacheCounters(server: RpcServer) {
  const text = await (await fetch(server.metricsUrl)).text();
  const value = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)$`, 'm').exec(text)?.[1]);
  return { hits: value('order_cache_hits_total'), misses: value('order_cache_misses_total') };
}

const statusOf = async (orders: Client<typeof OrderService>, orderId: string) => (await orders.getOrder({ orderId })).order!.status;

describe('GetOrder cache', () => {
  it('answers a second GetOrder from the cache, and not what another replica wrote meanwhile', async () => {
    // A TTL far longer than the test, so nothing expires between the calls.
    const { server, orders } = await startServer(600_000);
    const orderId = await insertOrder();
    const before = await cacheCounters(server);
    expect(await statusOf(orders, orderId)).toBe(OrderStatus.PENDING);
    await writeStatusDirectly(orderId, 'VALIDATED');
    expect(await statusOf(orders, orderId)).toBe(OrderStatus.PENDING);
    expect(await cacheCounters(server)).toEqual({ hits: before.hits + 1, misses: before.misses + 1 });
  });

  it('drops the order when this process updates its status', async () => {
    const { server, orders } = await startServer(600_000);
    const orderId = await insertOrder();
    expect(await statusOf(orders, orderId)).toBe(OrderStatus.PENDING);
    await orders.updateOrderStatus({
      orderId,
      expectedStatus: OrderStatus.PENDING,
      newStatus: OrderStatus.CANCELLING,
      reason: 'test',
      idempotencyKey: randomUUID(),
    });
    const before = await cacheCounters(server);
    const { order } = await orders.getOrder({ orderId });
    expect(order?.status).toBe(OrderStatus.CANCELLING);
    expect(order?.history.at(-1)?.reason).toBe('test');
    expect(await cacheCounters(server)).toEqual({ hits: before.hits, misses: before.misses + 1 });
  });

  it('drops the order when this process amends it', async () => {
    const { server, orders } = await startServer(600_000);
    const orderId = await insertOrder();
    await withClient(db.url, async (client) => {
      await client.query(`INSERT INTO order_items (order_id, sku, name, quantity, unit_price_minor, line_total_minor) VALUES ($1, 'MUG', 'Mug', 2, 50, 100)`, [
        orderId,
      ]);
      await client.query(`UPDATE orders SET shortfall = '[{"sku": "MUG", "requested": 2, "available": 1}]' WHERE id = $1`, [orderId]);
    });
    await writeStatusDirectly(orderId, 'AWAITING_CUSTOMER');
    expect(await statusOf(orders, orderId)).toBe(OrderStatus.AWAITING_CUSTOMER);
    await orders.amendOrder({ orderId, lines: [{ sku: 'MUG', quantity: 1 }], idempotencyKey: randomUUID() });
    const before = await cacheCounters(server);
    const { order } = await orders.getOrder({ orderId });
    expect(order).toMatchObject({ status: OrderStatus.VALIDATED, shortfall: [], total: { amountMinor: 50n } });
    expect(order?.items.map((i) => i.quantity)).toEqual([1]);
    expect(await cacheCounters(server)).toEqual({ hits: before.hits, misses: before.misses + 1 });
  });

  it('drops the order when this process validates it, even when validation refuses', async () => {
    const { orders } = await startServer(600_000);
    const orderId = await insertOrder();
    expect(await statusOf(orders, orderId)).toBe(OrderStatus.PENDING);
    // Refused (no items, no address); the refusal commits, the status stays.
    expect((await rpcError(orders.validateOrder({ orderId, idempotencyKey: randomUUID() }))).code).toBe(Code.FailedPrecondition);
    await writeStatusDirectly(orderId, 'CANCELLING');
    expect(await statusOf(orders, orderId)).toBe(OrderStatus.CANCELLING);
  });

  it("shows another replica's write once the TTL has run out", async () => {
    const { server, orders } = await startServer(50);
    const orderId = await insertOrder();
    expect(await statusOf(orders, orderId)).toBe(OrderStatus.PENDING);
    await writeStatusDirectly(orderId, 'VALIDATED');
    let status = await statusOf(orders, orderId);
    for (let attempt = 0; attempt < 200 && status !== OrderStatus.VALIDATED; attempt++) {
      await new Promise((r) => setTimeout(r, 25));
      status = await statusOf(orders, orderId);
    }
    expect(status).toBe(OrderStatus.VALIDATED);
    expect((await cacheCounters(server)).misses).toBeGreaterThanOrEqual(2);
  });
});

describe('OrderCache', () => {
  const order = (status: OrderStatus) => ({ id: '1', status }) as Order;

  it('does not keep what a load read when the order was invalidated while it ran', async () => {
    const cache = new OrderCache({ ttlMs: 600_000, max: 10 }, orderMetrics(new Registry()));
    let finishLoad!: (o: Order) => void;
    const loading = cache.get('1', () => new Promise<Order>((resolve) => (finishLoad = resolve)));
    cache.invalidate('1');
    finishLoad(order(OrderStatus.PENDING));
    expect((await loading)?.status).toBe(OrderStatus.PENDING);
    expect((await cache.get('1', async () => order(OrderStatus.VALIDATED)))?.status).toBe(OrderStatus.VALIDATED);
    expect((await cache.get('1', async () => order(OrderStatus.CANCELLED)))?.status).toBe(OrderStatus.VALIDATED);
  });

  it('keeps nothing with a TTL of 0, and never caches a missing order', async () => {
    const off = new OrderCache({ ttlMs: 0, max: 10 }, orderMetrics(new Registry()));
    await off.get('1', async () => order(OrderStatus.PENDING));
    expect((await off.get('1', async () => order(OrderStatus.VALIDATED)))?.status).toBe(OrderStatus.VALIDATED);
    const on = new OrderCache({ ttlMs: 600_000, max: 10 }, orderMetrics(new Registry()));
    await on.get('2', async () => undefined);
    expect((await on.get('2', async () => order(OrderStatus.PENDING)))?.status).toBe(OrderStatus.PENDING);
  });
});
