import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { withClient } from '@oms/db';
import { cloneTemplate, type TestDatabase } from '@oms/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadHeaderError, csvHeader, importOrders } from '../src/importer';
import { withPrismaShards } from '../src/importer/map';
import { ensureMap, type BucketMap } from '../src/shards/catalog';

const serviceDir = new URL('..', import.meta.url).pathname;
let db: TestDatabase;
let dir: string;
let customerA: string;
let customerB: string;
let map: BucketMap;

beforeAll(async () => {
  db = await cloneTemplate('oms_order');
  dir = await mkdtemp(path.join(tmpdir(), 'import-test-'));
  [customerA, customerB] = await withClient(db.url, async (client) => {
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO customers (id, bucket, first_name, email) SELECT id, customer_bucket(id), name, email FROM (VALUES (1, 'A', 'a@example.com'), (2, 'B', 'b@example.com')) c(id, name, email) RETURNING id`,
    );
    return rows.map((r) => r.id) as [string, string];
  });
  // One shard: it holds customers, so the first map puts every bucket on it.
  map = await withPrismaShards([db.url], ensureMap);
});

afterAll(async () => {
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const csv = (...rows: string[]) => [csvHeader, ...rows].join('\n') + '\n';

async function runImport(text: string, chunkOrders = 2) {
  return withClient(db.url, (client) => importOrders([{ id: 0, name: 'shard 0', client }], map, Readable.from([text]), { chunkOrders }));
}

/** Orders (with items and history) written since `afterId`, as SQL sees them. */
async function ordersAfter(afterId: string) {
  return withClient(db.url, async (client) => {
    const { rows } = await client.query(
      `SELECT o.id::text, o.customer_id::text AS customer, o.status::text, o.total_minor::text AS total, o.currency,
              o.created_at, (SELECT sum(line_total_minor)::text FROM order_items i WHERE i.order_id = o.id) AS item_sum,
              (SELECT count(*)::int FROM order_items i WHERE i.order_id = o.id) AS items,
              (SELECT json_agg(json_build_object('from', from_status, 'to', to_status, 'reason', reason)) FROM order_status_history h WHERE h.order_id = o.id) AS history
       FROM orders o WHERE o.id > $1 ORDER BY o.id`,
      [afterId],
    );
    return rows;
  });
}

const lastOrderId = () =>
  withClient(db.url, async (client) => (await client.query<{ id: string }>('SELECT coalesce(max(id), 0)::text AS id FROM orders')).rows[0]!.id);

const counts = () =>
  withClient(db.url, async (client) => {
    const { rows } = await client.query(
      `SELECT (SELECT count(*) FROM orders)::int AS orders, (SELECT count(*) FROM order_items)::int AS items,
              (SELECT count(*) FROM order_status_history)::int AS history`,
    );
    return rows[0] as { orders: number; items: number; history: number };
  });

describe('import', () => {
  it('imports a good file exactly', async () => {
    const before = await lastOrderId();
    const result = await runImport(
      csv(
        `A-1,${customerA},MUG,"Mug, large",2,1299,EUR,2024-05-01T10:00:00Z`,
        `A-1,${customerA},TEA,Tea,1,450,EUR,2024-05-01T10:00:00Z`,
        `B-1,${customerB},PEN,Pen,3,100,USD,2024-05-02`,
        `A-2,${customerA},MUG,Mug,1,0,EUR,2024-05-03T09:30:00+02:00`,
        `A-2,${customerA},CUP,"Cup\twith ""tab""",10,7,EUR,2024-05-03T09:30:00+02:00`,
      ),
    );
    expect(result).toMatchObject({ ordersImported: 3, itemsImported: 5, ordersRejected: 0, rejections: [], linesRead: 6 });
    const orders = await ordersAfter(before);
    const imported = [{ from: null, to: 'PENDING', reason: 'imported' }];
    expect(orders).toEqual([
      expect.objectContaining({
        customer: customerA,
        status: 'PENDING',
        total: '3048',
        item_sum: '3048',
        items: 2,
        currency: 'EUR',
        created_at: new Date('2024-05-01T10:00:00Z'),
        history: imported,
      }),
      expect.objectContaining({
        customer: customerB,
        status: 'PENDING',
        total: '300',
        item_sum: '300',
        items: 1,
        currency: 'USD',
        created_at: new Date('2024-05-02T00:00:00Z'),
        history: imported,
      }),
      expect.objectContaining({
        customer: customerA,
        status: 'PENDING',
        total: '70',
        item_sum: '70',
        items: 2,
        currency: 'EUR',
        created_at: new Date('2024-05-03T07:30:00Z'),
        history: imported,
      }),
    ]);
    const names = await withClient(db.url, (c) =>
      c.query<{ name: string }>('SELECT name FROM order_items WHERE order_id > $1 ORDER BY order_id, sku', [before]),
    );
    expect(names.rows.map((r) => r.name)).toEqual(['Mug, large', 'Tea', 'Pen', 'Cup\twith "tab"', 'Mug']);
  });

  it('rolls back a chunk with an unknown customer, keeps the others and reports its lines', async () => {
    const before = await lastOrderId();
    const result = await runImport(
      csv(
        `C-1,${customerA},MUG,Mug,1,100,EUR,2024-05-01`, // chunk 1: lines 2-3
        `C-2,${customerA},MUG,Mug,1,200,EUR,2024-05-01`,
        `C-3,${customerA},MUG,Mug,1,300,EUR,2024-05-01`, // chunk 2: lines 4-6, customer 999999 is unknown
        `C-4,999999,MUG,Mug,1,400,EUR,2024-05-01`,
        `C-4,999999,TEA,Tea,1,400,EUR,2024-05-01`,
        `C-5,${customerB},MUG,Mug,1,500,EUR,2024-05-01`, // chunk 3: line 7
      ),
    );
    expect(result).toMatchObject({ ordersImported: 3, itemsImported: 3, ordersRejected: 2 });
    expect(result.rejections).toEqual([{ firstLine: 4, lastLine: 6, orders: 2, shard: 0, reason: 'unknown customer 999999' }]);
    expect((await ordersAfter(before)).map((o) => o.total)).toEqual(['100', '200', '500']);
  });

  // Holds new_row_id to its promise (migration shard_safe_ids: a cycling sequence in the middle bits);
  // with random middle bits a chunk like this one made hundreds of duplicate ids and was rejected whole.
  it("imports many orders of one customer in one chunk: the ids made in one millisecond don't collide", async () => {
    const before = await counts();
    const rows = Array.from({ length: 3000 }, (_, i) => `N-${i},${customerA},MUG,Mug,1,100,EUR,2024-05-01`);
    const result = await runImport(csv(...rows), 3000);
    expect(result).toMatchObject({ ordersImported: 3000, ordersRejected: 0 });
    expect((await counts()).orders).toBe(before.orders + 3000);
  });

  it('reports invalid rows by line and writes nothing of their orders', async () => {
    const before = await counts();
    const result = await runImport(
      csv(
        `D-1,${customerA},MUG,Mug,1,100,EUR,2024-05-01`,
        `D-2,${customerA},MUG,Mug,-1,100,EUR,2024-05-01`, // negative quantity
        `D-2,${customerA},TEA,Tea,1,100,EUR,2024-05-01`,
        `D-3,${customerA},MUG,Mug,1,100,EUR,2024-05-01`,
        `D-3,${customerA},TEA,Tea,1,100,GBP,2024-05-01`, // mixed currencies
        `D-4,${customerA},MUG,Mug,1,100,ZZZ,2024-05-01`, // unknown currency
        `D-5,${customerA},MUG,Mug,one,100,EUR,2024-05-01`, // not a number
        `D-6,${customerA},MUG,Mug,1,100,EUR,2024-05-01`,
        `D-2,${customerA},PEN,Pen,1,100,EUR,2024-05-01`, // D-2 again, not consecutive
      ),
      10,
    );
    expect(result).toMatchObject({ ordersImported: 2, itemsImported: 2, ordersRejected: 5 });
    expect(result.rejections.map(({ firstLine, lastLine }) => [firstLine, lastLine])).toEqual([
      [3, 4],
      [5, 6],
      [7, 7],
      [8, 8],
      [10, 10],
    ]);
    expect(result.rejections.map((r) => r.reason)).toEqual([
      expect.stringMatching(/^line 3: quantity "-1"/),
      expect.stringMatching(/mixed currencies \(EUR, GBP\)/),
      expect.stringMatching(/^currency "ZZZ"/),
      expect.stringMatching(/^quantity "one"/),
      expect.stringMatching(/order_ref D-2 already appeared on line 3/),
    ]);
    expect(await counts()).toEqual({ orders: before.orders + 2, items: before.items + 2, history: before.history + 2 });
  });

  it('imports a name with a line break and counts its lines', async () => {
    const before = await lastOrderId();
    const result = await runImport(csv(`H-1,${customerA},MUG,"Mug,\nlarge",1,100,EUR,2024-05-01`, `H-2,${customerA},MUG,Mug,0,100,EUR,2024-05-01`));
    expect(result).toMatchObject({ ordersImported: 1, ordersRejected: 1, linesRead: 4 });
    expect(result.rejections).toEqual([{ firstLine: 4, lastLine: 4, orders: 1, ref: 'H-2', reason: expect.stringMatching(/^quantity "0"/) }]);
    const names = await withClient(db.url, (c) => c.query<{ name: string }>('SELECT name FROM order_items WHERE order_id > $1', [before]));
    expect(names.rows).toEqual([{ name: 'Mug,\nlarge' }]);
  });

  it('writes nothing when the header is wrong', async () => {
    const before = await counts();
    const text = `order_ref,customer,sku,name,quantity,unit_price_minor,currency,created_at\nE-1,${customerA},MUG,Mug,1,100,EUR,2024-05-01\n`;
    await expect(runImport(text)).rejects.toThrow(BadHeaderError);
    await expect(runImport('')).rejects.toThrow(/got an empty file/);
    expect(await counts()).toEqual(before);
  });

  it('runs as a command: summary on stdout, exit code 1 when something was rejected', async () => {
    const file = path.join(dir, 'mixed.csv');
    await writeFile(file, csv(`F-1,${customerA},MUG,Mug,1,100,EUR,2024-05-01`, `F-2,${customerA},MUG,Mug,0,100,EUR,2024-05-01`));
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = execFile(process.execPath, ['--import', 'tsx', 'src/importer/cli.ts', ...args], { cwd: serviceDir }, (_e, stdout, stderr) =>
          resolve({ code: child.exitCode, stdout, stderr }),
        );
      });
    const mixed = await run([file, '--chunk', '10', '--database-url', db.url]);
    expect(mixed.code).toBe(1);
    expect(mixed.stdout).toMatch(/orders imported: 1\nitems imported: {2}1\norders rejected: 1\n {2}line 3, order F-2: quantity "0"/);
    await writeFile(file, csv(`G-1,${customerA},MUG,Mug,1,100,EUR,2024-05-01`));
    const good = await run([file, '--database-url', db.url]);
    expect(good).toMatchObject({ code: 0, stdout: expect.stringMatching(/orders imported: 1\n/) });
    expect(good.stderr).toMatch(/\[#{30}\] 100% {2}1 orders imported, 2 lines read, \d+ rows\/s\n$/);
    expect((await run([])).code).toBe(2);
    // Three command starts (tsx compiles the CLI each time): seconds each on a busy machine.
  }, 120_000);
});
