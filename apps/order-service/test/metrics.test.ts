/**
 * What order-service reports at each scrape beside its RPCs: orders stuck in
 * the saga by age (counted by the database), and its database's pool and
 * liveness (the same for every service, from @oms/db).
 */
import { withClient } from '@oms/db';
import type { RpcServer } from '@oms/platform';
import { cloneTemplate, testServiceEnv, type TestDatabase } from '@oms/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOrderService } from '../src/main';

let db: TestDatabase;
let server: RpcServer;

beforeAll(async () => {
  db = await cloneTemplate('oms_order');
  server = await startOrderService(testServiceEnv(db.url));
});

afterAll(async () => {
  await server?.close();
  await db?.drop();
});

/** Orders inserted directly, each `ageSql` old, in `status`. */
async function insertOrders(rows: [status: string, ageSql: string][]): Promise<void> {
  await withClient(db.url, async (client) => {
    const customer = await client.query<{ id: string }>(
      `INSERT INTO customers (id, bucket, first_name, email) VALUES (new_row_id(7::smallint), 7, 'Ada', 'ada@example.com') RETURNING id`,
    );
    for (const [status, age] of rows) {
      await client.query(
        `INSERT INTO orders (id, bucket, customer_id, status, total_minor, currency, notes, created_at) VALUES (new_row_id(7::smallint), 7, $1, $2::order_status, 100, 'EUR', 'test', now() - $3::interval)`,
        [customer.rows[0]!.id, status, age],
      );
    }
  });
}

async function scrape(): Promise<string> {
  return (await fetch(server.metricsUrl)).text();
}

const sample = (text: string, series: string) => Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);

describe('orders_not_terminal', () => {
  it('counts orders still in the saga by status and age, leaving out finished and fresh ones', async () => {
    await insertOrders([
      ['PAID', '10 minutes'],
      ['PAID', '2 hours'],
      ['CANCELLING', '2 days'],
      ['AWAITING_CUSTOMER', '20 minutes'],
      ['PENDING', '1 minute'],
      ['COMPLETED', '2 days'],
      ['CANCELLED', '2 days'],
    ]);
    const text = await scrape();
    const stuck = (status: string, olderThan: string) => sample(text, `orders_not_terminal{status="${status}",older_than="${olderThan}",app="order-service"}`);
    expect([stuck('PAID', '5m'), stuck('PAID', '1h'), stuck('PAID', '1d')]).toEqual([2, 1, 0]);
    expect([stuck('CANCELLING', '5m'), stuck('CANCELLING', '1h'), stuck('CANCELLING', '1d')]).toEqual([1, 1, 1]);
    expect([stuck('AWAITING_CUSTOMER', '5m'), stuck('AWAITING_CUSTOMER', '1h')]).toEqual([1, 0]);
    expect([stuck('PENDING', '5m'), stuck('SHIPPING', '5m')]).toEqual([0, 0]);
    expect(text).not.toMatch(/orders_not_terminal\{status="(COMPLETED|CANCELLED|DELIVERED)"/);
  });
});

describe('database metrics', () => {
  it('report the pool and that the database answers', async () => {
    await scrape(); // the pool opens on the first query: here, db_up's own
    const text = await scrape();
    expect(sample(text, 'db_up{app="order-service"}')).toBe(1);
    expect(sample(text, 'db_pool_max_connections{app="order-service"}')).toBeGreaterThan(0);
    expect(sample(text, 'db_pool_connections{state="idle",app="order-service"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'db_pool_connections{state="in_use",app="order-service"}')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'db_pool_waiting_requests{app="order-service"}')).toBe(0);
  });
});
