/**
 * Order ids become BIGINT in every service's database (they are made as
 * BIGINT in oms_order): the migration keeps every stored id, and its down.sql
 * gives back the same digits as TEXT.
 */
import path from 'node:path';
import { withClient } from '@oms/db';
import { migrate, rollbackLatest } from '@oms/db/migrations';
import { appDir } from '@oms/devstack';
import { describe, it } from 'vitest';
import { cloneTemplate } from '../src';

const migration = '20261202120000_order_id_bigint';
const ids = ['42', '9223372036854775807'];

const services = [
  {
    app: 'payment-service',
    database: 'oms_payment',
    tables: ['payments', 'payment_orders'],
    inserts: [
      'INSERT INTO payment_orders (order_id) VALUES ($1)',
      `INSERT INTO payments (order_id, customer_id, amount_minor, currency, status, provider_charge_id) VALUES ($1, '7', 100, 'EUR', 'SUCCEEDED', 'ch_' || $1)`,
    ],
  },
  { app: 'inventory-service', database: 'oms_inventory', tables: ['reservations'], inserts: [`INSERT INTO reservations (order_id, status) VALUES ($1, 'RESERVED')`] },
  { app: 'shipping-service', database: 'oms_shipping', tables: ['shipments'], inserts: [`INSERT INTO shipments (order_id, status, cancelled_at, cancel_reason) VALUES ($1, 'CANCELLED', now(), 'fence')`] },
] as const;

/** Each table's order ids with their column type, e.g. "payments 42 bigint". */
function orderIds(url: string, tables: readonly string[]): Promise<string[]> {
  return withClient(url, async (client) => {
    const lines: string[] = [];
    for (const table of tables) {
      const { rows } = await client.query<{ line: string }>(`SELECT '${table} ' || order_id || ' ' || pg_typeof(order_id) AS line FROM ${table} ORDER BY order_id`);
      lines.push(...rows.map((r) => r.line));
    }
    return lines;
  });
}

describe(`${migration}`, () => {
  it.concurrent.for(services)('$app: keeps every order id, down and up', async ({ app, database, tables, inserts }, { expect, onTestFinished }) => {
    const db = await cloneTemplate(database);
    onTestFinished(() => db.drop());
    const prismaDir = path.join(appDir(app), 'prisma');
    expect(await rollbackLatest(db.url, prismaDir)).toBe(migration);
    await withClient(db.url, async (client) => {
      for (const insert of inserts) for (const id of ids) await client.query(insert, [id]);
    });
    const as = (type: string) => tables.flatMap((table) => ids.map((id) => `${table} ${id} ${type}`));
    expect(await orderIds(db.url, tables)).toEqual(as('text'));

    expect(await migrate(appDir(app), db.url)).toEqual([migration]);
    expect(await orderIds(db.url, tables)).toEqual(as('bigint'));

    expect(await rollbackLatest(db.url, prismaDir)).toBe(migration);
    expect(await orderIds(db.url, tables)).toEqual(as('text'));
  });
});
