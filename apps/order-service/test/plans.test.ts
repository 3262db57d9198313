/**
 * Every hot lookup uses its index at a realistic volume: 200,000 orders with
 * 400,000 items and their history, and each query's EXPLAIN shows an index
 * scan on its table, never a sequential scan.
 */
import { withClient } from '@oms/db';
import { cloneTemplate, type TestDatabase } from '@oms/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let db: TestDatabase;

beforeAll(async () => {
  db = await cloneTemplate('oms_order');
  await withClient(db.url, async (c) => {
    await c.query(`INSERT INTO customers (name, email) SELECT 'c' || i, 'c' || i || '@example.com' FROM generate_series(1, 2000) i`);
    await c.query(`
      INSERT INTO orders (customer_id, status, total_minor, currency, cancel_reason, created_at)
      SELECT (i % 2000) + 1,
             (enum_range(NULL::order_status))[(i % 9) + 1],
             2000, 'EUR', 'out of stock', now() - make_interval(secs => i)
      FROM generate_series(1, 200000) i`);
    await c.query(`
      INSERT INTO order_items (order_id, sku, name, quantity, unit_price_minor, line_total_minor)
      SELECT o.id, s.sku, 'Item', 1, 1000, 1000 FROM orders o CROSS JOIN (VALUES ('A'), ('B')) AS s(sku)`);
    await c.query(`INSERT INTO order_status_history (order_id, to_status, reason) SELECT id, 'PENDING', 'placed' FROM orders`);
    await c.query('ANALYZE');
  });
}, 180_000);

afterAll(async () => {
  await db?.drop();
});

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function* nodes(plan: PlanNode): Generator<PlanNode> {
  yield plan;
  for (const child of plan.Plans ?? []) yield* nodes(child);
}

async function plan(sql: string, params: unknown[]): Promise<PlanNode[]> {
  const { rows } = await withClient(db.url, (c) => c.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${sql}`, params));
  return [...nodes(rows[0]!['QUERY PLAN'][0].Plan)];
}

// The lookups the store makes (store.ts), with the index each must use.
const hotQueries = [
  { name: 'an order by id', sql: 'SELECT * FROM orders WHERE id = $1', params: [123_456], index: 'orders_pkey' },
  { name: "an order's items", sql: 'SELECT * FROM order_items WHERE order_id = $1 ORDER BY sku', params: [123_456], index: 'order_items_pkey' },
  {
    name: "an order's history",
    sql: 'SELECT * FROM order_status_history WHERE order_id = $1 ORDER BY id',
    params: [123_456],
    index: 'order_status_history_order_id_id_idx',
  },
  {
    name: "a customer's newest orders (first page)",
    sql: 'SELECT id FROM orders WHERE customer_id = $1 ORDER BY created_at DESC, id DESC LIMIT 21',
    params: [42],
    index: 'orders_customer_id_created_at_id_idx',
  },
  {
    name: "a customer's orders after a cursor",
    sql: `SELECT id FROM orders WHERE customer_id = $1 AND (created_at, id) < ($2::timestamptz, $3::bigint)
          ORDER BY created_at DESC, id DESC LIMIT 21`,
    params: [42, new Date(Date.now() - 50_000_000), 100_000],
    index: 'orders_customer_id_created_at_id_idx',
  },
  {
    name: "a customer's orders in one status",
    sql: `SELECT id FROM orders WHERE customer_id = $1 AND status = $2::order_status ORDER BY created_at DESC, id DESC LIMIT 21`,
    params: [42, 'COMPLETED'],
    index: 'orders_customer_id_status_created_at_id_idx',
  },
];

describe('query plans at 200,000 orders', () => {
  it('has the volume loaded', async () => {
    const { rows } = await withClient(db.url, (c) => c.query<{ n: string }>('SELECT count(*) AS n FROM orders'));
    expect(Number(rows[0]!.n)).toBe(200_000);
  });

  it.each(hotQueries)('$name uses $index, no sequential scan', async ({ sql, params, index }) => {
    const planNodes = await plan(sql, params);
    expect(planNodes.filter((n) => n['Node Type'] === 'Seq Scan')).toEqual([]);
    expect(planNodes.map((n) => n['Index Name'])).toContain(index);
  });
});
