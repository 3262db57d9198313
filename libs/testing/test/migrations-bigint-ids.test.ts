/**
 * Ids made in oms_order (order and customer ids, BIGINT there) become BIGINT
 * in every service's database: each migration keeps every stored id, and its
 * down.sql gives back the same digits as TEXT.
 */
import path from 'node:path';
import { withClient } from '@oms/db';
import { migrate, rollbackLatest } from '@oms/db/migrations';
import { appDir } from '@oms/devstack';
import { describe, it } from 'vitest';
import { cloneTemplate } from '../src';

const orderIds = '20261202120000_order_id_bigint';
const customerIds = '20261202130000_customer_id_bigint';
const ids = ['42', '9223372036854775807'];

/** A service's migrations that convert ids (newest first), with rows that hold such ids. */
const cases = [
  {
    app: 'payment-service',
    database: 'oms_payment',
    migrations: [
      { name: customerIds, columns: ['payments.customer_id'] },
      { name: orderIds, columns: ['payments.order_id', 'payment_orders.order_id'] },
    ],
    inserts: [
      'INSERT INTO payment_orders (order_id) VALUES ($1)',
      `INSERT INTO payments (order_id, customer_id, amount_minor, currency, status, provider_charge_id) VALUES ($1, $1, 100, 'EUR', 'SUCCEEDED', 'ch_' || $1)`,
    ],
  },
  {
    app: 'inventory-service',
    database: 'oms_inventory',
    migrations: [{ name: orderIds, columns: ['reservations.order_id'] }],
    inserts: [`INSERT INTO reservations (order_id, status) VALUES ($1, 'RESERVED')`],
  },
  {
    app: 'shipping-service',
    database: 'oms_shipping',
    migrations: [{ name: orderIds, columns: ['shipments.order_id'] }],
    inserts: [`INSERT INTO shipments (order_id, status, cancelled_at, cancel_reason) VALUES ($1, 'CANCELLED', now(), 'fence')`],
  },
];

/** Each column's values with their type, e.g. "payments.order_id 42 bigint". */
function values(url: string, columns: string[]): Promise<string[]> {
  return withClient(url, async (client) => {
    const lines: string[] = [];
    for (const column of columns) {
      const [table, name] = column.split('.');
      const { rows } = await client.query<{ line: string }>(`SELECT '${column} ' || ${name} || ' ' || pg_typeof(${name}) AS line FROM ${table} ORDER BY 1`);
      lines.push(...rows.map((r) => r.line));
    }
    return lines;
  });
}

/** Rolls back the newest migrations up to and including `name` (later ones of other concerns too); returns what it undid. */
async function rollBackThrough(url: string, prismaDir: string, name: string): Promise<string[]> {
  const undone: string[] = [];
  let latest: string | undefined;
  do {
    latest = await rollbackLatest(url, prismaDir);
    if (latest) undone.push(latest);
  } while (latest !== undefined && latest !== name);
  return undone;
}

describe('ids made in oms_order, BIGINT everywhere', () => {
  it.concurrent.for(cases)('$app: keeps every id, down and up', async ({ app, database, migrations, inserts }, { expect, onTestFinished }) => {
    const db = await cloneTemplate(database);
    onTestFinished(() => db.drop());
    const prismaDir = path.join(appDir(app), 'prisma');
    const columns = migrations.flatMap((m) => m.columns);
    const undone = await rollBackThrough(db.url, prismaDir, migrations.at(-1)!.name);
    expect(undone).toEqual(expect.arrayContaining(migrations.map((m) => m.name)));
    await withClient(db.url, async (client) => {
      for (const insert of inserts) for (const id of ids) await client.query(insert, [id]);
    });
    const typed = (type: (column: string) => string) => columns.flatMap((column) => ids.map((id) => `${column} ${id} ${type(column)}`));
    expect(await values(db.url, columns)).toEqual(typed(() => 'text'));

    expect(await migrate(appDir(app), db.url)).toEqual([...undone].reverse());
    expect(await values(db.url, columns)).toEqual(typed(() => 'bigint'));

    // Down again, one id migration at a time: its columns go back to TEXT, the others stay BIGINT.
    const text = new Set<string>();
    for (const migration of migrations) {
      expect((await rollBackThrough(db.url, prismaDir, migration.name)).at(-1)).toBe(migration.name);
      for (const column of migration.columns) text.add(column);
      expect(await values(db.url, columns)).toEqual(typed((column) => (text.has(column) ? 'text' : 'bigint')));
    }
  });
});
