/**
 * Every hot lookup uses its index at a realistic volume: 200,000 orders with
 * 400,000 items and their history, and the EXPLAIN of each typed query the
 * store runs shows index scans on its tables, never a sequential scan.
 */
import type { PreparedQuery } from '@pgtyped/runtime';
import { withClient } from '@oms/db';
import { cloneTemplate, explain, type PlanNode, type TestDatabase } from '@oms/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getOrder, listOrders, listPendingOrders, lockOrder } from '../src/sql/orders.queries';

let db: TestDatabase;

beforeAll(async () => {
  db = await cloneTemplate('oms_order');
  await withClient(db.url, async (c) => {
    await c.query(
      `INSERT INTO customers (id, bucket, first_name, email) SELECT i, customer_bucket(i), 'c' || i, 'c' || i || '@example.com' FROM generate_series(1, 2000) i`,
    );
    await c.query(`
      INSERT INTO orders (id, bucket, customer_id, status, total_minor, currency, notes, created_at)
      SELECT new_row_id(customer_bucket((i % 2000) + 1)), customer_bucket((i % 2000) + 1), (i % 2000) + 1,
             (enum_range(NULL::order_status))[(i % 9) + 1],
             2000, 'EUR', 'out of stock', now() - make_interval(secs => i)
      FROM generate_series(1, 200000) i`);
    await c.query(`
      INSERT INTO order_items (order_id, sku, name, quantity, unit_price_minor, line_total_minor)
      SELECT o.id, s.sku, 'Item', 1, 1000, 1000 FROM orders o CROSS JOIN (VALUES ('A'), ('B')) AS s(sku)`);
    await c.query(`INSERT INTO order_status_history (order_id, seq, to_status, reason) SELECT id, 1, 'PENDING', 'placed' FROM orders`);
    await c.query(`INSERT INTO owned_buckets (bucket, map_version) SELECT b, 1 FROM generate_series(0, 1023) b`);
    await c.query('ANALYZE');
  });
}, 180_000);

afterAll(async () => {
  await db?.drop();
});

/** The SQL text and bindings a typed query sends, caught instead of run. */
async function sent(query: PreparedQuery<never, unknown>, params: object): Promise<{ text: string; bindings: unknown[] }> {
  let caught = { text: '', bindings: [] as unknown[] };
  const catcher = { query: async (text: string, bindings: unknown[]) => ((caught = { text, bindings }), { rows: [], rowCount: 0 }) };
  await query.run(params as never, catcher);
  return caught;
}

/** EXPLAIN of what the store runs, planned with its values as the store's calls are. */
async function plan(query: PreparedQuery<never, unknown>, params: object): Promise<PlanNode[]> {
  const { text, bindings } = await sent(query, params);
  const values = bindings.map((b) => (typeof b === 'bigint' ? b.toString() : b));
  return withClient(db.url, (c) => explain(c, text, values));
}

const cursor = { afterCreatedAt: new Date(Date.now() - 50_000_000), afterId: 100_000n };

// The store's typed queries (src/sql/orders.sql), with the indexes each must use.
const hotQueries = [
  {
    name: 'GetOrder (the order, its items and history)',
    query: getOrder,
    params: { id: 123_456n },
    indexes: ['orders_pkey', 'order_items_pkey', 'order_status_history_pkey'],
  },
  {
    name: 'LockOrder (the order, its item count, its customer)',
    query: lockOrder,
    params: { id: 123_456n },
    indexes: ['orders_pkey', 'order_items_pkey', 'customers_pkey'],
  },
  {
    name: "ListOrders: a customer's newest orders",
    query: listOrders,
    params: { customerId: 42n, limit: 21 },
    indexes: ['orders_customer_id_created_at_id_idx', 'order_items_pkey'],
  },
  {
    name: "ListOrders: a customer's orders after a cursor",
    query: listOrders,
    params: { customerId: 42n, limit: 21, ...cursor },
    indexes: ['orders_customer_id_created_at_id_idx', 'order_items_pkey'],
  },
  {
    name: "ListOrders: a customer's orders in one status, after a cursor",
    query: listOrders,
    params: { customerId: 42n, limit: 21, status: 'COMPLETED', ...cursor },
    indexes: ['orders_customer_id_status_created_at_id_idx', 'order_items_pkey'],
  },
  {
    name: "ListOrders without a customer (ListAllOrders): a shard's newest orders",
    query: listOrders,
    params: { limit: 21 },
    indexes: ['orders_created_at_id_idx', 'order_items_pkey'],
  },
  {
    name: "ListOrders without a customer (ListAllOrders): a shard's orders after a cursor",
    query: listOrders,
    params: { limit: 21, ...cursor },
    indexes: ['orders_created_at_id_idx', 'order_items_pkey'],
  },
  // One order in nine is COMPLETED: reading newest first and skipping the others beats the status index
  // (which a rarer status gets, through (status, created_at)); either way no sort of the whole table.
  {
    name: "ListOrders without a customer (ListAllOrders): a shard's orders in one status, after a cursor",
    query: listOrders,
    params: { limit: 21, status: 'COMPLETED', ...cursor },
    indexes: ['orders_created_at_id_idx', 'order_items_pkey'],
  },
] as { name: string; query: PreparedQuery<never, unknown>; params: object; indexes: string[] }[];

describe('query plans at 200,000 orders', () => {
  it('has the volume loaded', async () => {
    const { rows } = await withClient(db.url, (c) => c.query<{ n: string }>('SELECT count(*) AS n FROM orders'));
    expect(Number(rows[0]!.n)).toBe(200_000);
  });

  // owned_buckets (at most 1,024 rows, the guard every read joins) may be read whole: it is a page or two.
  it.each(hotQueries)('$name uses $indexes, no sequential scan of a data table', async ({ query, params, indexes }) => {
    const planNodes = await plan(query, params);
    expect(planNodes.filter((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] !== 'owned_buckets')).toEqual([]);
    expect(planNodes.map((n) => n['Index Name'])).toEqual(expect.arrayContaining(indexes));
  });
});

// PENDING is a status an order leaves within seconds; those still in it are the few whose saga was lost.
describe('ListPendingOrders (the orphan reconciler) at 200,000 orders, few of them PENDING', () => {
  beforeAll(async () => {
    await withClient(db.url, async (c) => {
      await c.query(`UPDATE orders SET status = 'COMPLETED' WHERE status = 'PENDING' AND id % 50 <> 0`);
      await c.query('ANALYZE orders');
    });
  });

  const before = new Date(Date.now() - 60_000);
  it.each([
    { name: 'the first page', params: { createdBefore: before, limit: 101 } },
    { name: 'a page after a cursor', params: { createdBefore: before, limit: 101, ...cursor } },
  ])('reads $name from orders_status_created_at_idx, no sequential scan', async ({ params }) => {
    const planNodes = await plan(listPendingOrders as PreparedQuery<never, unknown>, params);
    expect(planNodes.filter((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] !== 'owned_buckets')).toEqual([]);
    expect(planNodes.map((n) => n['Index Name'])).toContain('orders_status_created_at_idx');
  });
});
