/**
 * The import on two order shards: each order lands on its customer's shard
 * (by the bucket map of the catalog, shard 0) and nowhere else; an unknown
 * customer, a stale map and a failed COMMIT are reported per shard.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { withClient } from '@oms/db';
import { cloneTemplate, type TestDatabase } from '@oms/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvHeader, formatSummary, importOrders, type ImportShard } from '../src/importer';
import { loadImportMap, withPrismaShards } from '../src/importer/map';
import { ensureMap, type BucketMap } from '../src/shards/catalog';
import { customerBucket, newId } from '../src/shards/ids';
import { shardName } from '../src/shards/open';

const serviceDir = new URL('..', import.meta.url).pathname;
let dbs: TestDatabase[];
let shards: ImportShard[];
let map: BucketMap;
let dir: string;
/** By shard: a customer made before sharding and a routable one, both in buckets the shard owns. */
let customers: [string, string][];

/** The first id below 1000 whose hashed bucket the map puts on `shard`. */
const legacyIdOn = (shard: number) => String(Array.from({ length: 1000 }, (_, i) => BigInt(i + 1)).find((id) => map.shardOf[customerBucket(id)] === shard));

beforeAll(async () => {
  dbs = [await cloneTemplate('oms_order'), await cloneTemplate('oms_order')];
  dir = await mkdtemp(path.join(tmpdir(), 'import-shards-test-'));
  // Two empty shards: the first map gives each a contiguous half of the buckets.
  map = await withPrismaShards(
    dbs.map((db) => db.url),
    ensureMap,
  );
  customers = [
    [legacyIdOn(0), String(newId(5))],
    [legacyIdOn(1), String(newId(700))],
  ];
  for (const [shard, ids] of customers.entries()) {
    await withClient(dbs[shard]!.url, (c) =>
      c.query(`INSERT INTO customers (id, bucket, first_name, email) SELECT id, customer_bucket(id), 'C', id || '@example.com' FROM unnest($1::bigint[]) id`, [
        ids,
      ]),
    );
  }
  shards = await Promise.all(
    dbs.map(async (db, id) => {
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      return { id, name: shardName(db.url), client };
    }),
  );
});

afterAll(async () => {
  await Promise.all((shards ?? []).map(({ client }) => client.end()));
  await Promise.all((dbs ?? []).map((db) => db.drop()));
  if (dir) await rm(dir, { recursive: true, force: true });
});

const csv = (...rows: string[]) => [csvHeader, ...rows].join('\n') + '\n';
const runImport = (text: string, chunkOrders = 3) => importOrders(shards, map, Readable.from([text]), { chunkOrders });

/** A shard's orders with a total of `total`, as SQL sees them: customer, bucket column and the bucket in the id. */
const ordersOn = (shard: number, total: number) =>
  withClient(dbs[shard]!.url, async (c) => {
    const { rows } = await c.query<{ customer: string; bucket: number; id_bucket: number; items: number }>(
      `SELECT customer_id::text AS customer, bucket, (id & 1023)::int AS id_bucket, (SELECT count(*)::int FROM order_items i WHERE i.order_id = o.id) AS items
       FROM orders o WHERE total_minor = $1 ORDER BY created_at`,
      [total],
    );
    return rows;
  });

/** A row of an order of one item priced `total` for `customer`, dated by `day` (orders sort by it). */
const row = (ref: string, customer: string, total: number, day: number) => `${ref},${customer},MUG,Mug,1,${total},EUR,2024-05-${String(day).padStart(2, '0')}`;

describe('import on two shards', () => {
  it('writes each order on its customer shard only, and counts per shard', async () => {
    const [[a0, b0], [a1, b1]] = customers as [[string, string], [string, string]];
    const result = await runImport(
      csv(row('S-1', a0, 101, 1), row('S-2', a1, 101, 2), row('S-3', b1, 101, 3), row('S-4', b0, 101, 4), row('S-5', a1, 101, 5), row('S-6', a0, 101, 6)),
    );
    expect(result).toMatchObject({ ordersImported: 6, itemsImported: 6, ordersRejected: 0, mapVersion: 1 });
    expect(result.commitFailure).toBeUndefined();
    expect(result.shards.map(({ id, orders, committed }) => ({ id, orders, committed }))).toEqual([
      { id: 0, orders: 3, committed: true },
      { id: 1, orders: 3, committed: true },
    ]);
    for (const [shard, expected] of [
      [0, [a0, b0, a0]],
      [1, [a1, b1, a1]],
    ] as const) {
      const orders = await ordersOn(shard, 101);
      expect(orders.map((o) => o.customer)).toEqual(expected);
      for (const order of orders) {
        const bucket = customerBucket(BigInt(order.customer));
        expect(order).toMatchObject({ bucket, id_bucket: bucket, items: 1 });
      }
    }
    expect(formatSummary(result)).toContain(
      `orders per shard (bucket map version 1):\n  shard 0 ${shards[0]!.name}: 3 orders, 3 items\n  shard 1 ${shards[1]!.name}: 3 orders, 3 items\n`,
    );
  });

  it("rejects an unknown customer's part of a chunk on its shard, and keeps the other shard's part", async () => {
    const unknown = String(newId(800)); // bucket 800: shard 1, which has no such customer
    const [a0] = customers[0]!;
    const [a1] = customers[1]!;
    const result = await runImport(csv(row('U-1', a0, 102, 1), row('U-2', unknown, 102, 2), row('U-3', a1, 102, 3), row('U-4', a0, 102, 4)));
    expect(result).toMatchObject({ ordersImported: 2, ordersRejected: 2 });
    expect(result.rejections).toEqual([{ firstLine: 3, lastLine: 4, orders: 2, shard: 1, reason: `unknown customer ${unknown}` }]);
    expect((await ordersOn(0, 102)).map((o) => o.customer)).toEqual([a0, a0]);
    expect(await ordersOn(1, 102)).toEqual([]);
    expect(formatSummary(result)).toContain(`  lines 3-4 (2 orders on order shard 1): unknown customer ${unknown}`);
  });

  it('rejects, saying the map is stale, the orders of a bucket their shard no longer serves', async () => {
    const [, b1] = customers[1]!; // bucket 700
    const [a0] = customers[0]!;
    const moved = () => withClient(dbs[1]!.url, (c) => c.query('DELETE FROM owned_buckets WHERE bucket = 700'));
    await moved();
    try {
      const result = await runImport(csv(row('M-1', b1, 103, 1), row('M-2', a0, 103, 2)));
      expect(result).toMatchObject({ ordersImported: 1, ordersRejected: 1 });
      expect(result.rejections).toEqual([
        {
          firstLine: 2,
          lastLine: 2,
          orders: 1,
          shard: 1,
          reason: `the import's bucket map (version 1) is stale: order shard 1 (${shards[1]!.name}) does not serve bucket 700; import these orders again`,
        },
      ]);
      expect(await ordersOn(1, 103)).toEqual([]);
      expect(await ordersOn(0, 103)).toHaveLength(1);
    } finally {
      await withClient(dbs[1]!.url, (c) => c.query('INSERT INTO owned_buckets (bucket, map_version) VALUES (700, 1)'));
    }
  });

  it('says which shards committed when a COMMIT fails, and counts only theirs as imported', async () => {
    // A deferred trigger refuses an order of total 666 at COMMIT, on either shard.
    for (const db of dbs) {
      await withClient(db.url, (c) =>
        c.query(`
          CREATE FUNCTION refuse_666() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused at commit'; END $$;
          CREATE CONSTRAINT TRIGGER refuse_666 AFTER INSERT ON orders DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.total_minor = 666) EXECUTE FUNCTION refuse_666();`),
      );
    }
    const [a0] = customers[0]!;
    const [a1] = customers[1]!;
    const laterFails = await runImport(csv(row('K-1', a0, 104, 1), row('K-2', a1, 666, 2), row('K-3', a1, 104, 3)));
    expect(laterFails).toMatchObject({ ordersImported: 1, itemsImported: 1, commitFailure: { shard: 1, message: 'refused at commit', outcomeUnknown: false } });
    expect(laterFails.shards.map((s) => s.committed)).toEqual([true, false]);
    expect(await ordersOn(0, 104)).toHaveLength(1);
    expect(await ordersOn(1, 104)).toEqual([]);
    const summary = formatSummary(laterFails);
    expect(summary).toContain(
      `  shard 0 ${shards[0]!.name}: 1 orders, 1 items, committed\n  shard 1 ${shards[1]!.name}: 2 orders, 2 items, not committed (COMMIT failed: refused at commit)\n`,
    );
    expect(summary).toContain('COMMIT FAILED on order shard 1: the shards before it are imported, the shards after it are not.');

    const firstFails = await runImport(csv(row('L-1', a0, 666, 1), row('L-2', a1, 105, 2)));
    expect(firstFails).toMatchObject({ ordersImported: 0, commitFailure: { shard: 0 } });
    expect(firstFails.shards.map((s) => s.committed)).toEqual([false, false]);
    expect(await ordersOn(1, 105)).toEqual([]);
    expect(formatSummary(firstFails)).toContain(`  shard 1 ${shards[1]!.name}: 1 orders, 1 items, not committed (rolled back)\n`);
  });

  it('refuses to import without a bucket map', async () => {
    const fresh = await cloneTemplate('oms_order');
    try {
      await expect(loadImportMap([fresh.url])).rejects.toThrow(/has no bucket map yet: start order-service once/);
    } finally {
      await fresh.drop();
    }
  });

  // Each run starts a tsx process: several seconds on a busy machine.
  it('runs as a command on the shards of DATABASE_URL and ORDER_SHARD_URLS, and refuses them out of order', { timeout: 120_000 }, async () => {
    const file = path.join(dir, 'two-shards.csv');
    await writeFile(file, csv(row('C-1', customers[0]![0], 106, 1), row('C-2', customers[1]![0], 106, 2)));
    const run = (first: TestDatabase, second: TestDatabase) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = execFile(
          process.execPath,
          ['--import', 'tsx', 'src/importer/cli.ts', file],
          { cwd: serviceDir, env: { ...process.env, DATABASE_URL: first.url, ORDER_SHARD_URLS: second.url } },
          (_e, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
        );
      });
    const [db0, db1] = dbs as [TestDatabase, TestDatabase];
    const good = await run(db0, db1);
    expect(good).toMatchObject({ code: 0, stdout: expect.stringMatching(/^orders imported: 2\n/) });
    expect(good.stdout).toContain(`  shard 0 ${shards[0]!.name}: 1 orders, 1 items\n  shard 1 ${shards[1]!.name}: 1 orders, 1 items\n`);
    const swapped = await run(db1, db0);
    expect(swapped.code).toBe(1);
    expect(swapped.stderr).toMatch(
      /^refused, nothing imported: database \S+ is order shard \d, but it is configured as shard \d: check the order of ORDER_SHARD_URLS\n$/,
    );
    expect((await ordersOn(0, 106)).length + (await ordersOn(1, 106)).length).toBe(2);
  });
});
