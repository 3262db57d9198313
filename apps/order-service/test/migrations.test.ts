/**
 * The data-moving migrations on real rows, up, down and up again: customers'
 * names split into first and last name (and restored exactly), orders'
 * cancel_reason moved into notes by expand / backfill / contract, and orders
 * awaiting their customer taken back to VALIDATED when that status goes.
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
const awaitingCustomer = '20261203080000_awaiting_customer';

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

describe('awaiting_customer', () => {
  const history = (orderId: string) =>
    withClient(db.url, async (c) => {
      const { rows } = await c.query(`SELECT from_status, to_status, reason FROM order_status_history WHERE order_id = $1 ORDER BY seq`, [orderId]);
      return rows.map((r) => [r.from_status, r.to_status, r.reason]);
    });

  it('takes orders awaiting their customer, and history rows naming the status, back to VALIDATED when rolled back', async () => {
    await migrate(serviceDir, db.url);
    // One order awaiting its customer, one they amended, one cancelled while awaiting them.
    const steps: [string | null, string, string][][] = [
      [
        [null, 'PENDING', 'order placed'],
        ['PENDING', 'VALIDATED', 'validated'],
        ['VALIDATED', 'AWAITING_CUSTOMER', 'out of stock: MUG'],
      ],
      [
        [null, 'PENDING', 'order placed'],
        ['PENDING', 'VALIDATED', 'validated'],
        ['VALIDATED', 'AWAITING_CUSTOMER', 'out of stock: MUG'],
        ['AWAITING_CUSTOMER', 'VALIDATED', 'amended by the customer: MUG 3 → 1'],
      ],
      [
        [null, 'PENDING', 'order placed'],
        ['PENDING', 'VALIDATED', 'validated'],
        ['VALIDATED', 'AWAITING_CUSTOMER', 'out of stock: MUG'],
        ['AWAITING_CUSTOMER', 'CANCELLING', 'customer cancelled'],
        ['CANCELLING', 'CANCELLED', 'customer cancelled'],
      ],
    ];
    const ids = await withClient(db.url, async (c) => {
      const customer = await c.query<{ id: string }>(
        `INSERT INTO customers (id, bucket, first_name, email) VALUES (new_row_id(7::smallint), 7, 'Ada', 'ada@example.com') RETURNING id`,
      );
      const ids: string[] = [];
      for (const changes of steps) {
        const status = changes.at(-1)![1];
        const order = await c.query<{ id: string }>(
          `INSERT INTO orders (id, bucket, customer_id, status, total_minor, currency, notes, shortfall)
           VALUES (new_row_id(7::smallint), 7, $1, $2, 100, 'EUR', $3, $4) RETURNING id`,
          [
            customer.rows[0]!.id,
            status,
            status === 'CANCELLED' ? 'customer cancelled' : null,
            status === 'AWAITING_CUSTOMER' ? '[{"sku": "MUG", "requested": 3, "available": 1}]' : null,
          ],
        );
        const id = order.rows[0]!.id;
        for (const [seq, [from, to, reason]] of changes.entries()) {
          await c.query(`INSERT INTO order_status_history (order_id, seq, from_status, to_status, reason) VALUES ($1, $2, $3, $4, $5)`, [
            id,
            seq + 1,
            from,
            to,
            reason,
          ]);
        }
        ids.push(id);
      }
      return ids;
    });

    await rollBackThrough(awaitingCustomer);
    const statuses = await withClient(db.url, async (c) => (await c.query(`SELECT id, status FROM orders WHERE id = ANY($1) ORDER BY id`, [ids])).rows);
    expect(new Map(statuses.map((r) => [r.id, r.status]))).toEqual(
      new Map([
        [ids[0], 'VALIDATED'],
        [ids[1], 'VALIDATED'],
        [ids[2], 'CANCELLED'],
      ]),
    );
    const asBefore = (changes: [string | null, string, string][]) =>
      changes.map(([from, to, reason]) => [from === 'AWAITING_CUSTOMER' ? 'VALIDATED' : from, to === 'AWAITING_CUSTOMER' ? 'VALIDATED' : to, reason]);
    for (const [i, id] of ids.entries()) expect(await history(id)).toEqual(asBefore(steps[i]!));

    await migrate(serviceDir, db.url);
    const labels = await withClient(db.url, async (c) =>
      (await c.query(`SELECT unnest(enum_range(NULL::order_status))::text AS label`)).rows.map((r) => r.label),
    );
    expect(labels.at(-1)).toBe('AWAITING_CUSTOMER');
    expect((await orders('shortfall')).every((r) => r.shortfall === null)).toBe(true);
  });
});
