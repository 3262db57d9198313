/**
 * Rows per second of the CSV order import against its alternatives, each on
 * a fresh clone of the migrated oms_order template (Postgres from
 * OMS_POSTGRES_URL, as in the tests):
 *   ours        src/importer/ on one shard: COPY into staging + INSERT ... SELECT, chunks under savepoints
 *   prisma      Prisma createManyAndReturn/createMany per chunk of 1000 orders, one transaction a chunk
 *   row-by-row  one transaction per order, one INSERT per row (5,000 orders, rate extrapolated)
 *   psql \copy  the same CSV into an indexless staging table: the ceiling for getting the bytes in
 * A row is one CSV line (an item); the file has 100,000 orders of 2 items.
 * CPU is this Node process's (parsing, building COPY text), not Postgres's.
 *   npx tsx bench/import.ts [orders=100000]
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { pgAdapter, withClient } from '@oms/db';
import { cloneTemplate, prepareTemplate, type TestDatabase } from '@oms/testing';
import { PrismaClient } from '../src/generated/prisma/client';
import { csvHeader, importOrders, readOrders, type ImportOrder } from '../src/importer';
import { withPrismaShards } from '../src/importer/map';
import { ensureMap, firstMap } from '../src/shards/catalog';
import { customerBucket, newId } from '../src/shards/ids';

const orderCount = Number(process.argv[2] ?? 100_000);
const rowByRowOrders = Math.min(5_000, orderCount);
const customers = 100;
const serviceDir = new URL('..', import.meta.url).pathname;

async function writeCsv(file: string, orders: number): Promise<number> {
  const out = createWriteStream(file);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write(`${csvHeader}\n`);
  for (let i = 1; i <= orders; i++) {
    const customer = (i % customers) + 1;
    const day = `2024-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}T10:00:00Z`;
    await write(`ORD-${i},${customer},MUG-${i % 50},"Mug, size ${i % 50}",${(i % 5) + 1},${1000 + (i % 900)},EUR,${day}\n`);
    await write(`ORD-${i},${customer},TEA-${i % 30},Tea ${i % 30},1,450,EUR,${day}\n`);
  }
  out.end();
  await once(out, 'finish');
  return orders * 2;
}

/** A fresh database with customers 1..100, one shard holding every bucket. */
async function freshDatabase(): Promise<TestDatabase> {
  const db = await cloneTemplate('oms_order');
  await withClient(db.url, (c) =>
    c.query(
      `INSERT INTO customers (id, bucket, first_name, last_name, email) SELECT g, customer_bucket(g), 'Bench', g::text, 'bench' || g || '@example.com' FROM generate_series(1, ${customers}) g`,
    ),
  );
  await withPrismaShards([db.url], ensureMap);
  return db;
}

async function* chunksOf(file: string, size: number, limit = Infinity): AsyncGenerator<ImportOrder[]> {
  let chunk: ImportOrder[] = [];
  let taken = 0;
  for await (const event of readOrders(createReadStream(file))) {
    if (!('order' in event)) throw new Error(`bench file has a bad order: ${event.rejection.reason}`);
    chunk.push(event.order);
    if (++taken >= limit || chunk.length === size) {
      yield chunk;
      chunk = [];
      if (taken >= limit) return;
    }
  }
  if (chunk.length > 0) yield chunk;
}

/** The map freshDatabase's ensureMap writes (one shard that holds customers: every bucket on it), known without reading it back. */
const oneShardMap = firstMap(1, true);

async function ours(url: string, file: string, chunkOrders: number): Promise<number> {
  const result = await withClient(url, (client) => importOrders([{ id: 0, name: 'shard 0', client }], oneShardMap, createReadStream(file), { chunkOrders }));
  if (result.ordersRejected > 0) throw new Error(`rejected: ${JSON.stringify(result.rejections.slice(0, 3))}`);
  return result.itemsImported;
}

/** A new order's id and bucket, its customer's. */
function placed(customerId: bigint) {
  const bucket = customerBucket(customerId);
  return { id: newId(bucket), bucket };
}

async function prismaCreateMany(url: string, file: string): Promise<number> {
  const prisma = new PrismaClient({ adapter: pgAdapter(url, 2) });
  let items = 0;
  try {
    for await (const chunk of chunksOf(file, 1000)) {
      await prisma.$transaction(
        async (tx) => {
          const created = await tx.order.createManyAndReturn({
            data: chunk.map((o) => ({
              ...placed(BigInt(o.rows[0]!.customerId)),
              customerId: BigInt(o.rows[0]!.customerId),
              status: 'PENDING' as const,
              totalMinor: o.rows.reduce((sum, r) => sum + r.unitPriceMinor * BigInt(r.quantity), 0n),
              currency: o.rows[0]!.currency,
              createdAt: new Date(o.rows[0]!.createdAt),
            })),
            select: { id: true },
          });
          const rows = chunk.flatMap((o, i) => o.rows.map((r) => ({ orderId: created[i]!.id, r })));
          items += (
            await tx.orderItem.createMany({
              data: rows.map(({ orderId, r }) => ({
                orderId,
                sku: r.sku,
                name: r.name,
                quantity: r.quantity,
                unitPriceMinor: r.unitPriceMinor,
                lineTotalMinor: r.unitPriceMinor * BigInt(r.quantity),
              })),
            })
          ).count;
          await tx.orderStatusHistory.createMany({
            data: chunk.map((o, i) => ({
              orderId: created[i]!.id,
              seq: 1,
              fromStatus: null,
              toStatus: 'PENDING' as const,
              reason: 'imported',
              changedAt: new Date(o.rows[0]!.createdAt),
            })),
          });
        },
        { timeout: 60_000 },
      );
    }
    return items;
  } finally {
    await prisma.$disconnect();
  }
}

async function rowByRow(url: string, file: string): Promise<number> {
  let items = 0;
  await withClient(url, async (client) => {
    for await (const chunk of chunksOf(file, 100, rowByRowOrders)) {
      for (const order of chunk) {
        const first = order.rows[0]!;
        const total = order.rows.reduce((sum, r) => sum + r.unitPriceMinor * BigInt(r.quantity), 0n);
        await client.query('BEGIN');
        const { rows } = await client.query<{ id: string }>(
          `INSERT INTO orders (id, bucket, customer_id, status, total_minor, currency, created_at)
           VALUES (new_row_id(customer_bucket($1)), customer_bucket($1), $1, 'PENDING', $2, $3, $4) RETURNING id`,
          [first.customerId, total, first.currency, first.createdAt],
        );
        for (const r of order.rows) {
          await client.query('INSERT INTO order_items (order_id, sku, name, quantity, unit_price_minor, line_total_minor) VALUES ($1, $2, $3, $4, $5, $6)', [
            rows[0]!.id,
            r.sku,
            r.name,
            r.quantity,
            r.unitPriceMinor,
            r.unitPriceMinor * BigInt(r.quantity),
          ]);
          items++;
        }
        await client.query(
          `INSERT INTO order_status_history (order_id, seq, from_status, to_status, reason, changed_at) VALUES ($1, 1, NULL, 'PENDING', 'imported', $2)`,
          [rows[0]!.id, first.createdAt],
        );
        await client.query('COMMIT');
      }
    }
  });
  return items;
}

async function createStagingTable(url: string): Promise<void> {
  await withClient(url, (c) =>
    c.query(`CREATE TABLE import_stage (ref text NOT NULL, customer_id bigint NOT NULL, sku text NOT NULL, name text NOT NULL,
               quantity integer NOT NULL, unit_price_minor bigint NOT NULL, currency char(3) NOT NULL, created_at timestamptz NOT NULL)`),
  );
}

function psqlCopy(url: string, file: string): Promise<number> {
  const out = execFileSync(
    'psql',
    [
      '-X',
      '-q',
      '-v',
      'ON_ERROR_STOP=1',
      '-d',
      url,
      '-c',
      `\\copy import_stage FROM '${file}' WITH (FORMAT csv, HEADER true)`,
      '-c',
      'SELECT count(*) FROM import_stage',
      '-At',
    ],
    {
      encoding: 'utf8',
    },
  );
  return Promise.resolve(Number(out.trim()));
}

/** Times `run` on a fresh database (making and dropping it is not timed). */
async function measure(name: string, run: (url: string) => Promise<number>, prepare?: (url: string) => Promise<void>) {
  const db = await freshDatabase();
  try {
    await prepare?.(db.url);
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const rows = await run(db.url);
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    process.stderr.write(`  ${name}: ${rows} rows in ${seconds.toFixed(2)} s, ${cpuSeconds.toFixed(2)} s CPU here\n`);
    return { name, rows, seconds, rate: rows / seconds, cpuSeconds };
  } finally {
    await db.drop();
  }
}

await prepareTemplate(serviceDir, 'oms_order');
const dir = await mkdtemp(path.join(tmpdir(), 'import-bench-'));
try {
  const file = path.join(dir, 'orders.csv');
  const rows = await writeCsv(file, orderCount);
  process.stderr.write(`${orderCount} orders, ${rows} rows in ${file}\n`);
  const results = [
    await measure('ours, COPY + INSERT ... SELECT, chunks of 1000 orders', (url) => ours(url, file, 1000)),
    await measure('ours, chunks of 10000 orders', (url) => ours(url, file, 10_000)),
    await measure('Prisma createMany, chunks of 1000 orders', (url) => prismaCreateMany(url, file)),
    await measure(`row by row, a transaction per order (${rowByRowOrders} orders)`, (url) => rowByRow(url, file)),
    await measure('psql \\copy into a staging table (ceiling)', (url) => psqlCopy(url, file), createStagingTable),
  ];
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  console.log(`\n| method | rows | s | rows/s | CPU s (this process) |\n| --- | ---: | ---: | ---: | ---: |`);
  for (const r of results) console.log(`| ${r.name} | ${fmt(r.rows)} | ${r.seconds.toFixed(2)} | ${fmt(r.rate)} | ${r.cpuSeconds.toFixed(2)} |`);
  console.log(`\nours / psql \\copy: ${(results[0]!.rate / results.at(-1)!.rate).toFixed(2)}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
