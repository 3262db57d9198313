/**
 * What moving buckets costs (issue 14): two real Postgres servers with
 * prepared transactions (embedded, each on its own port; shard 0, the
 * catalog, on one, shard 1 on the other) and the real order-service as a
 * process in front.
 *   Data        `buckets` buckets of shard 0, each with 10 customers and `ordersPerBucket` orders (2 or 3 items
 *               and one history row each, as bench/reads.ts)
 *   Moves       each bucket as the ReshardWorkflow moves it, through BucketMoveService over gRPC: prepare,
 *               copy, catch-up (while more than 100 rows changed, at most 5 rounds), cut-over
 *   Load        CreateOrder from `concurrency` callers at once, every order for a customer of a moving
 *               bucket (the worst case: every write meets the fence); UNAVAILABLE is retried with the
 *               same key after 50 ms, as the saga would
 *   Phases      load alone, load while the buckets move to shard 1, load alone, load while they move back:
 *               so each kind of phase gets the machine's noise twice
 *   rows/s      rows copied by CopyBucket / its wall time
 *   fence       CutOverBucket's fence_ms: from taking the bucket's lock to the source's COMMIT PREPARED
 *   CPU/order   order-service's process_cpu_seconds_total over the phase / orders placed
 *   npx tsx apps/order-service/bench/moves.ts [buckets=16] [ordersPerBucket=1000] [concurrency=8]
 */
import { randomUUID } from 'node:crypto';
import { type Client } from '@connectrpc/connect';
import { OrderService } from '@oms/contracts/order/v1';
import { BucketMoveService } from '@oms/contracts/order/v1/bucket-moves';
import { withClient } from '@oms/db';
import { startAppProcess } from '@oms/devstack';
import { serviceClient } from '@oms/platform';
import { prepareTemplate, startExtraPostgres } from '@oms/testing';
import { startFakeInventory } from '../test/fake-inventory';
import { at, fmt, insertHistorySql, insertItemsSql, load, loadAverage, mean, ms, row, serverCounters } from './common';

const bucketCount = Number(process.argv[2] ?? 16);
const ordersPerBucket = Number(process.argv[3] ?? 1000);
const concurrency = Number(process.argv[4] ?? 8);
const customersPerBucket = 10;
const serviceDir = new URL('..', import.meta.url).pathname;

console.log(`bench: ${bucketCount} buckets of ${fmt(ordersPerBucket)} orders moved to shard 1 and back, under ${concurrency} concurrent CreateOrders`);
await prepareTemplate(serviceDir, 'oms_order');
const twoPhase = { settings: { max_prepared_transactions: '16' } };
const [first, second] = await Promise.all([startExtraPostgres({ ...twoPhase, database: 'oms_order' }), startExtraPostgres(twoPhase)]);
const inventory = await startFakeInventory();
const sku = inventory.stock(1500n);
const app = await startAppProcess('order-service', {
  DATABASE_URL: first.orderShardUrl,
  ORDER_SHARD_URLS: second.orderShardUrl,
  INVENTORY_SERVICE_URL: inventory.server.url,
  LOG_LEVEL: 'warn',
});
const orders: Client<typeof OrderService> = serviceClient(OrderService, app.url, 10_000);
const moves: Client<typeof BucketMoveService> = serviceClient(BucketMoveService, app.url, 600_000);

try {
  // Buckets 0, 8, 16, ...: all on shard 0 in the first map of two shards (0–511).
  const buckets = Array.from({ length: bucketCount }, (_, i) => i * 8);
  const customerIds = await withClient(first.orderShardUrl, async (db) => {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO customers (id, bucket, first_name, last_name, email)
       SELECT new_row_id(b::smallint), b, 'Bench', b::text, 'bench' || b || '@example.com'
       FROM unnest($1::int[]) b, generate_series(1, ${customersPerBucket}) RETURNING id::text`,
      [buckets],
    );
    await load('orders', 1, ordersPerBucket * bucketCount, async (lo, hi) => {
      const result = await db.query(
        `WITH new_orders AS (
           INSERT INTO orders (id, bucket, customer_id, status, total_minor, currency)
           SELECT new_row_id(c.bucket), c.bucket, c.id, 'PAID', 1000 + (i::bigint * 7919) % 90000, 'EUR'
           FROM generate_series(${lo}, ${hi}) i
           JOIN LATERAL (SELECT id, bucket FROM customers WHERE bucket = ($1::int[])[1 + i % ${bucketCount}] OFFSET i % ${customersPerBucket} LIMIT 1) c ON true
           RETURNING id, total_minor, status),
         new_items AS (${insertItemsSql('new_orders')})
         ${insertHistorySql('new_orders')}`,
        [buckets],
      );
      return result.rowCount ?? 0;
    });
    return rows.map((r) => r.id);
  });

  interface Phase {
    name: string;
    placed: number;
    seconds: number;
    cpu: number;
    retried: number;
  }
  const copies: { rows: number; ms: number }[] = [];
  const fences: number[] = [];

  /** CreateOrder from `concurrency` callers until `until` settles; UNAVAILABLE retried with the same key. */
  async function underLoad(name: string, until: () => Promise<void>): Promise<Phase> {
    let running = true;
    let placed = 0;
    let retried = 0;
    const caller = async (n: number) => {
      for (let i = n; running; i += concurrency) {
        const request = { customerId: customerIds[i % customerIds.length]!, lines: [{ sku, quantity: 1 }], idempotencyKey: randomUUID() };
        for (;;) {
          try {
            await orders.createOrder(request);
            placed++;
            break;
          } catch {
            retried++;
            await new Promise((r) => setTimeout(r, 50));
          }
        }
      }
    };
    const cpuBefore = (await serverCounters(app.metricsUrl, 'CreateOrder')).cpu;
    const started = performance.now();
    const callers = Array.from({ length: concurrency }, (_, n) => caller(n));
    await until();
    running = false;
    await Promise.all(callers);
    const seconds = (performance.now() - started) / 1000;
    const cpu = (await serverCounters(app.metricsUrl, 'CreateOrder')).cpu - cpuBefore;
    console.log(`  ${name}: ${fmt(placed)} orders in ${seconds.toFixed(1)} s`);
    return { name, placed, seconds, cpu, retried };
  }

  async function moveAll(targetShard: number, label: string): Promise<void> {
    for (const [i, bucket] of buckets.entries()) {
      const move = { move: { moveId: `bench-${label}`, bucket, targetShard } };
      await moves.prepareMove(move);
      const copyStarted = performance.now();
      const copied = await moves.copyBucket(move);
      copies.push({ rows: Number(copied.rows), ms: performance.now() - copyStarted });
      for (let round = 0; round < 5 && (await moves.catchUpBucket(move)).rowsChanged > 100n; round++);
      fences.push((await moves.cutOverBucket(move)).fenceMs);
      process.stdout.write(`\r    ${label}: ${i + 1}/${buckets.length} buckets moved`);
    }
    process.stdout.write('\n');
  }

  // A phase without moves lasts as long as the move phase before it did (the first: 20 s).
  const idle = (seconds: number) => () => new Promise<void>((r) => setTimeout(r, seconds * 1000));
  console.log('measuring (4 phases)');
  const phases = [await underLoad('no move', idle(20))];
  phases.push(await underLoad('moving to shard 1', () => moveAll(1, 'there')));
  phases.push(await underLoad('no move', idle(phases[1]!.seconds)));
  phases.push(await underLoad('moving back to shard 0', () => moveAll(0, 'back')));

  const sortedFences = [...fences].sort((a, b) => a - b);
  const rowsPerSecond = copies.reduce((sum, c) => sum + c.rows, 0) / (copies.reduce((sum, c) => sum + c.ms, 0) / 1000);
  const widths = [34, 14];
  console.log(`\n${row(['bucket moves', 'value'], widths)}`);
  console.log(row(['rows per bucket (mean)', fmt(mean(copies.map((c) => c.rows)))], widths));
  console.log(row(['rows copied per second', fmt(rowsPerSecond)], widths));
  console.log(row([`fence p50 (${fences.length} cut-overs)`, ms(at(sortedFences, 0.5))], widths));
  console.log(row(['fence p99', ms(at(sortedFences, 0.99))], widths));
  console.log(row(['fence longest', ms(sortedFences.at(-1)!)], widths));

  const sum = (list: Phase[], key: keyof Omit<Phase, 'name'>) => list.reduce((total, p) => total + p[key], 0);
  const kinds = [
    ['without a move', phases.filter((_, i) => i % 2 === 0)],
    ['while moving', phases.filter((_, i) => i % 2 === 1)],
  ] as const;
  const loadWidths = [18, 12, 14, 10, 10];
  console.log(`\n${row(['CreateOrder load', 'orders/s', 'CPU-ms/order', 'retried', 'ratio'], loadWidths)}`);
  const rate = (list: readonly Phase[]) => sum([...list], 'placed') / sum([...list], 'seconds');
  for (const [name, list] of kinds) {
    console.log(
      row(
        [
          name,
          rate(list).toFixed(1),
          ((sum([...list], 'cpu') * 1000) / sum([...list], 'placed')).toFixed(2),
          fmt(sum([...list], 'retried')),
          `${(rate(list) / rate(kinds[0][1])).toFixed(2)}x`,
        ],
        loadWidths,
      ),
    );
  }
  console.log(`\n${loadAverage()} (1, 5, 15 min)`);
} finally {
  await app.stop();
  await inventory.server.close();
  first.remove();
  second.remove();
}
