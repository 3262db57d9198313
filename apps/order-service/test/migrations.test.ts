/**
 * The data-moving migrations on real rows, up, down and up again: customers'
 * names split into first and last name (and restored exactly), and orders'
 * cancel_reason moved into notes by expand / backfill / contract.
 */
import path from 'node:path';
import { withClient } from '@oms/db';
import { migrate, rollbackLatest } from '@oms/db/migrations';
import { cloneTemplate, type TestDatabase } from '@oms/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const serviceDir = path.resolve(import.meta.dirname, '..');
const prismaDir = path.join(serviceDir, 'prisma');
const split = '20261122120000_split_customer_name';
const notesExpand = '20261122130000_order_notes_expand';

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

/** Rolls back the newest migrations up to and including `name`. */
async function rollBackThrough(name: string): Promise<void> {
  let undone: string | undefined;
  do undone = await rollbackLatest(db.url, prismaDir);
  while (undone !== undefined && undone !== name);
  expect(undone).toBe(name);
}

beforeAll(async () => {
  db = await cloneTemplate('oms_order');
  // Back to the schema before the split (later migrations' down scripts run too), with customers who have orders.
  await rollBackThrough(split);
  await withClient(db.url, async (c) => {
    for (const name of names) {
      const { rows } = await c.query<{ id: string }>(`INSERT INTO customers (name, email) VALUES ($1, 'c@example.com') RETURNING id`, [name]);
      await c.query(
        `INSERT INTO orders (customer_id, status, total_minor, currency, cancel_reason) VALUES ($1, 'PENDING', 100, 'EUR', NULL), ($1, 'CANCELLED', 100, 'EUR', $2)`,
        [rows[0]!.id, `no stock for ${name}`],
      );
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
    await rollBackThrough(split);
    expect((await customers('name')).map((r) => r.name)).toEqual(names);
    expect(await withClient(db.url, async (c) => (await c.query('SELECT count(*)::int AS n FROM orders')).rows[0].n)).toBe(2 * names.length);
  });

  it('splits the same way when applied again', async () => {
    await migrate(serviceDir, db.url);
    expect((await customers('first_name, last_name')).map((r) => [r.first_name, r.last_name])).toEqual(expected);
  });
});

const orders = (columns: string) =>
  withClient(db.url, async (c) => (await c.query(`SELECT ${columns} FROM orders ORDER BY id`)).rows as Record<string, unknown>[]);
const reasons = names.flatMap((name) => [null, `no stock for ${name}`]);

describe('order notes: expand, backfill, contract', () => {
  it('moves every cancel_reason into notes and drops the old column', async () => {
    await migrate(serviceDir, db.url);
    expect((await orders('notes')).map((r) => r.notes)).toEqual(reasons);
    expect(Object.keys((await orders('*'))[0]!)).not.toContain('cancel_reason');
  });

  it('brings cancel_reason back from notes when rolled back', async () => {
    await rollBackThrough(notesExpand);
    expect((await orders('cancel_reason')).map((r) => r.cancel_reason)).toEqual(reasons);
    expect(Object.keys((await orders('*'))[0]!)).not.toContain('notes');
  });
});
