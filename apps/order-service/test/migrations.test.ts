/**
 * The data-moving migration on real rows: customers' names split into first
 * and last name, restored exactly by its down script, and split again.
 */
import path from 'node:path';
import { migrate, rollbackLatest, withClient } from '@oms/db';
import { cloneTemplate, type TestDatabase } from '@oms/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const serviceDir = path.resolve(import.meta.dirname, '..');
const prismaDir = path.join(serviceDir, 'prisma');
const split = '20261122120000_split_customer_name';

// Names as people type them: a space kept at either end, doubled, or missing.
const names = ['Ada Lovelace', 'Plato', 'Mary Ann Smith', 'Jean-Luc  Picard', 'Ada ', ' Lovelace', '李 小龍', 'Zoë O’Brien-Ñúñez', ''];
const expected = [
  ['Ada', 'Lovelace'],
  ['Plato', null],
  ['Mary', 'Ann Smith'],
  ['Jean-Luc', ' Picard'],
  ['Ada', ''],
  ['', 'Lovelace'],
  ['李', '小龍'],
  ['Zoë', 'O’Brien-Ñúñez'],
  ['', null],
];

let db: TestDatabase;

beforeAll(async () => {
  db = await cloneTemplate('oms_order');
  // Back to the schema before the split (later migrations' down scripts run too), with customers who have orders.
  let undone: string | undefined;
  do undone = await rollbackLatest(db.url, prismaDir);
  while (undone !== undefined && undone !== split);
  expect(undone).toBe(split);
  await withClient(db.url, async (c) => {
    for (const name of names) {
      const { rows } = await c.query<{ id: string }>(`INSERT INTO customers (name, email) VALUES ($1, 'c@example.com') RETURNING id`, [name]);
      await c.query(`INSERT INTO orders (customer_id, status, total_minor, currency) VALUES ($1, 'PENDING', 100, 'EUR')`, [rows[0]!.id]);
    }
  });
}, 60_000);

afterAll(async () => {
  await db?.drop();
});

const customers = (columns: string) =>
  withClient(db.url, async (c) => (await c.query(`SELECT ${columns} FROM customers ORDER BY id`)).rows as Record<string, unknown>[]);

describe('split_customer_name', () => {
  it('splits every name at its first space, keeping every character', async () => {
    await migrate(serviceDir, db.url);
    const rows = await customers('first_name, last_name');
    expect(rows.map((r) => [r.first_name, r.last_name])).toEqual(expected);
  });

  it('is undone by its down script, every name restored exactly', async () => {
    let undone: string | undefined;
    do undone = await rollbackLatest(db.url, prismaDir);
    while (undone !== split);
    expect((await customers('name')).map((r) => r.name)).toEqual(names);
    expect(await withClient(db.url, async (c) => (await c.query('SELECT count(*)::int AS n FROM orders')).rows[0].n)).toBe(names.length);
  });

  it('splits the same way when applied again', async () => {
    await migrate(serviceDir, db.url);
    expect((await customers('first_name, last_name')).map((r) => [r.first_name, r.last_name])).toEqual(expected);
  });
});
