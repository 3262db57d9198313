/**
 * Read latency at volume, on a fresh clone of the migrated oms_order template
 * (Postgres from OMS_POSTGRES_URL, as in the tests) loaded with N orders
 * (default 1,000,000) of 2 or 3 items and one history row each, over 1,000
 * customers; customer 1 owns every 40th order, so that page 1,000 exists.
 *   GetOrder with items   p50/p99 of 2,000 random orders, one call at a time, after 3,000 warm-up
 *                         calls: a fresh server spends ~1.5x the CPU per call over its first few
 *                         thousand calls (V8 still optimizing Connect, Prisma, protobuf) as after;
 *                         CPU is milliseconds of CPU per measured call (user + system, all threads)
 *     RPC (cache off)     the real order-service as a process (ORDER_CACHE_TTL_MS=0) over gRPC:
 *                         what a caller waits for; CPU of this process (the client) and the server's
 *                         (its process_cpu_seconds_total)
 *       in the server     the server's own mean time per GetOrder (its rpc_server_duration_seconds,
 *                         inside the interceptors): the rest of the RPC row is transport and Connect
 *       empty RPC         grpc.health.v1 Check of an unknown service over the same connection: no
 *                         database, no handler work; the floor any RPC pays on this machine
 *     store, one query    OrderStore.getOrder in this process: the typed GetOrder query (the order
 *                         with its items and history as JSON, src/sql/orders.sql) through Prisma
 *   On 2 cores the calls are a relay (client, server, Postgres, server, client): a row's p50 is
 *   about the sum of the CPU each process spends on the call, so the CPU columns say where it goes.
 *   ListOrders page (20)  customer 1's orders, newest first; median of 20 runs after 5 warm-up runs
 *     keyset              AND (created_at, id) < the previous page's last row (what the store does)
 *     OFFSET              LIMIT 20 OFFSET (page - 1) * 20
 *     rows read           what the scan on orders returned (EXPLAIN ANALYZE, once): OFFSET reads all it
 *                         skips; a plan other than a plain index scan is printed under the table
 *   npx tsx apps/order-service/bench/reads.ts [orders=1000000]   (or bench/reads.ts from apps/order-service)
 *
 * A second opinion on the server alone, with a client that costs next to no CPU: ghz
 * (`GOBIN=/tmp/ghz go install github.com/bojand/ghz/cmd/ghz@v0.120.0`, not a dependency), against an
 * order-service started on a loaded database (e.g. a clone left by this bench with db.drop() skipped):
 *   ghz --insecure --proto proto/oms/order/v1/order.proto -i proto,proto/vendor \
 *     --call oms.order.v1.OrderService/GetOrder -d '{"order_id":"{{randomInt 1 N}}"}' -c 1 -n 5000 127.0.0.1:PORT
 */
import { Health } from '@oms/contracts/health/v1';
import { OrderService } from '@oms/contracts/order/v1';
import { pgAdapter, withClient } from '@oms/db';
import { startAppProcess } from '@oms/devstack';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { serviceTransport } from '@oms/platform';
import { cloneTemplate, explain, prepareTemplate } from '@oms/testing';
import type { Client } from 'pg';
import { PrismaClient } from '../src/generated/prisma/client';
import { customerBucket } from '../src/shards/ids';
import { OrderStore } from '../src/store';
import { at, fmt, insertHistorySql, insertItemsSql, load, mean, ms, row, serverCounters } from './common';

const orderCount = Number(process.argv[2] ?? 1_000_000);
const customerCount = 1_000;
const lookups = 2_000;
const warmupLookups = 3_000;
const pageSize = 20;
const pages = [1, 100, 1_000];
const serviceDir = new URL('..', import.meta.url).pathname;

/** The customer of the i-th order: customer 1 has every 40th. */
const customerOf = (i: number) => (i % 40 === 0 ? 1 : 2 + (i % (customerCount - 1)));
const customerSql = (i: string) => `CASE WHEN ${i} % 40 = 0 THEN 1 ELSE 2 + ${i} % ${customerCount - 1} END`;
/**
 * The i-th order's id: routable (src/shards/ids.ts) with i where the time goes,
 * so ids follow i and a range of i is a range of ids (the loading goes by chunks of i).
 */
const orderId = (i: number) => (1n << 62n) | (BigInt(i) << 20n) | BigInt(customerBucket(BigInt(customerOf(i))));
const orderIdSql = (i: string, customer: string) => `((1::bigint << 62) | (${i}::bigint << 20) | customer_bucket(${customer}))`;

async function insertCustomers(c: Client): Promise<number> {
  const { rowCount } = await c.query(
    `INSERT INTO customers (id, bucket, first_name, last_name, email)
     SELECT g, customer_bucket(g), 'Bench', g::text, 'bench' || g || '@example.com' FROM generate_series(1, ${customerCount}) g`,
  );
  return rowCount ?? 0;
}

/** Loads the data; resolves with the number of items. */
async function loadData(c: Client): Promise<number> {
  await load('customers', 1, 1, () => insertCustomers(c));
  // Fixed here rather than now() per chunk, so that created_at follows id across chunks.
  const newest = new Date();
  await load('orders', 1, orderCount, async (lo, hi) => {
    const { rowCount } = await c.query(
      `INSERT INTO orders (id, bucket, customer_id, status, total_minor, currency, created_at)
       SELECT ${orderIdSql('i', 'c')}, customer_bucket(c), c,
              (ARRAY['PENDING', 'PAID', 'SHIPPING', 'DELIVERED']::order_status[])[1 + i % 4],
              1000 + (i::bigint * 7919) % 90000, 'EUR', $3::timestamptz - make_interval(secs => $4 - i)
       FROM generate_series($1::int, $2::int) i, LATERAL (SELECT ${customerSql('i')} AS c) customer`,
      [lo, hi, newest, orderCount],
    );
    return rowCount ?? 0;
  });
  const items = await load('items', 1, orderCount, async (lo, hi) => {
    const { rowCount } = await c.query(
      `${insertItemsSql('orders')}
       WHERE o.id BETWEEN (1::bigint << 62) | ($1::bigint << 20) AND (1::bigint << 62) | ($2::bigint << 20) | 1023`,
      [lo, hi],
    );
    return rowCount ?? 0;
  });
  await load('history', 1, orderCount, async (lo, hi) => {
    const { rowCount } = await c.query(
      `${insertHistorySql('orders')}
       WHERE id BETWEEN (1::bigint << 62) | ($1::bigint << 20) AND (1::bigint << 62) | ($2::bigint << 20) | 1023`,
      [lo, hi],
    );
    return rowCount ?? 0;
  });
  // VACUUM as well as ANALYZE: otherwise autovacuum would start on the new rows in the middle of the measurements.
  const started = performance.now();
  await c.query('VACUUM ANALYZE');
  process.stdout.write(`vacuum analyze... ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  return items;
}

const randomIds = (n: number) => Array.from({ length: n }, () => orderId(1 + Math.floor(Math.random() * orderCount)).toString());

interface Measured {
  /** Sorted latencies, ms. */
  times: number[];
  /** This process's CPU per call, ms. */
  cpu: number;
}

/** Latencies of `call` over fresh random order ids, one at a time, after the warm-up; `measuring` runs between the two. */
async function latencies(call: (id: string) => Promise<void>, measuring?: () => Promise<unknown>): Promise<Measured> {
  for (const id of randomIds(warmupLookups)) await call(id);
  await measuring?.();
  const times: number[] = [];
  const cpu = process.cpuUsage();
  for (const id of randomIds(lookups)) {
    const started = performance.now();
    await call(id);
    times.push(performance.now() - started);
  }
  const { user, system } = process.cpuUsage(cpu);
  return { times: times.sort((a, b) => a - b), cpu: (user + system) / 1000 / lookups };
}

interface RpcTimes {
  getOrder: Measured;
  /** Mean ms the server spent per measured GetOrder, inside its interceptors. */
  serverMean: number;
  /** The server's CPU per measured call, ms. */
  serverCpu: number;
  empty: Measured;
  emptyServerCpu: number;
}

async function getOrderRpc(databaseUrl: string): Promise<RpcTimes> {
  process.stdout.write('GetOrder over RPC...\n');
  // Inventory is not called by GetOrder: the config's default address is never dialled.
  const app = await startAppProcess('order-service', { DATABASE_URL: databaseUrl, ORDER_CACHE_TTL_MS: '0', LOG_LEVEL: 'warn' });
  try {
    // One transport: both clients share its HTTP/2 connection.
    const transport = serviceTransport(app.url);
    const orders = createClient(OrderService, transport);
    const health = createClient(Health, transport);
    let before = await serverCounters(app.metricsUrl, 'GetOrder');
    const since = async () => (before = await serverCounters(app.metricsUrl, 'GetOrder'));
    const getOrder = await latencies(async (orderId) => {
      const { order } = await orders.getOrder({ orderId });
      if (order?.id !== orderId || order.items.length < 2) throw new Error(`GetOrder ${orderId} answered ${JSON.stringify(order)}`);
    }, since);
    const after = await serverCounters(app.metricsUrl, 'GetOrder');
    const serverMean = ((after.seconds - before.seconds) / (after.calls - before.calls)) * 1000;
    // The scrape in between costs the server CPU too (a few ms, against seconds of calls).
    const serverCpu = ((after.cpu - before.cpu) / lookups) * 1000;
    process.stdout.write('empty RPC...\n');
    const empty = await latencies(async () => {
      const code = await health.check({ service: 'bench.Unknown' }).then(
        () => undefined,
        (error: unknown) => ConnectError.from(error).code,
      );
      if (code !== Code.NotFound) throw new Error(`Health/Check of an unknown service answered ${code === undefined ? 'OK' : Code[code]}`);
    }, since);
    const emptyServerCpu = (((await serverCounters(app.metricsUrl, 'GetOrder')).cpu - before.cpu) / lookups) * 1000;
    return { getOrder, serverMean, serverCpu, empty, emptyServerCpu };
  } finally {
    await app.stop();
  }
}

async function getOrderStore(databaseUrl: string): Promise<Measured> {
  process.stdout.write('GetOrder in the store...\n');
  const prisma = new PrismaClient({ adapter: pgAdapter(databaseUrl) });
  try {
    const store = new OrderStore(prisma);
    return await latencies(async (id) => {
      const order = await store.getOrder(BigInt(id));
      if ((order?.items.length ?? 0) < 2) throw new Error(`order ${id}: ${JSON.stringify(order)}`);
    });
  } finally {
    await prisma.$disconnect();
  }
}

// Named columns rather than *, so that columns added later do not move the numbers.
const listSql = (where: string, offset: number) =>
  `SELECT id, customer_id, status, total_minor, currency, created_at FROM orders WHERE customer_id = $1 ${where}
   ORDER BY created_at DESC, id DESC LIMIT ${pageSize}${offset ? ` OFFSET ${offset}` : ''}`;

interface Timed {
  ms: number;
  rowsRead: number;
  /** The plan's nodes under the Limit, e.g. "Index Scan". */
  plan: string;
}

async function timeQuery(c: Client, sql: string, params: unknown[]): Promise<Timed> {
  const times: number[] = [];
  for (let run = 0; run < 25; run++) {
    const started = performance.now();
    await c.query(sql, params);
    if (run >= 5) times.push(performance.now() - started);
  }
  const plan = (await explain(c, sql, params, { analyze: true })).filter((n) => n['Node Type'] !== 'Limit');
  const scan = plan.find((n) => n['Relation Name'] === 'orders');
  return {
    ms: at(
      times.sort((a, b) => a - b),
      0.5,
    ),
    rowsRead: scan?.['Actual Rows'] ?? NaN,
    plan: plan.map((n) => n['Node Type']).join(' > '),
  };
}

async function listPages(c: Client) {
  process.stdout.write('ListOrders pages...\n');
  const results = [];
  for (const page of pages) {
    const skip = (page - 1) * pageSize;
    const offset: { sql: string; params: unknown[] } = { sql: listSql('', skip), params: [1] };
    let keyset = offset;
    if (page > 1) {
      const { rows } = await c.query<{ id: string; created_at: Date }>(listSql('', skip - 1).replace(`LIMIT ${pageSize}`, 'LIMIT 1'), [1]);
      if (!rows[0]) break;
      keyset = { sql: listSql('AND (created_at, id) < ($2, $3)', 0), params: [1, rows[0].created_at, rows[0].id] };
    }
    const ids = async (q: typeof offset) => (await c.query<{ id: string }>(q.sql, q.params)).rows.map((r) => r.id).join();
    if ((await ids(keyset)) !== (await ids(offset))) throw new Error(`page ${page}: keyset and OFFSET disagree`);
    results.push({ page, keyset: await timeQuery(c, keyset.sql, keyset.params), offset: await timeQuery(c, offset.sql, offset.params) });
  }
  return results;
}

await prepareTemplate(serviceDir, 'oms_order');
const db = await cloneTemplate('oms_order');
try {
  const items = await withClient(db.url, loadData);
  const rpc = await getOrderRpc(db.url);
  const sql = await getOrderStore(db.url);
  const list = await withClient(db.url, listPages);

  console.log(`\nreads at ${fmt(orderCount)} orders (${fmt(items)} items)`);
  const w1 = [24, 10, 10, 10, 12, 12];
  const timesRow = (label: string, m: Measured, serverCpu?: number) =>
    row([label, ms(at(m.times, 0.5)), ms(at(m.times, 0.99)), ms(mean(m.times)), ms(m.cpu), serverCpu === undefined ? '' : ms(serverCpu)], w1);
  console.log(row(['GetOrder with items', 'p50', 'p99', 'mean', 'CPU client', 'CPU server'], w1));
  console.log(timesRow('  RPC (cache off)', rpc.getOrder, rpc.serverCpu));
  console.log(row(['    in the server', '', '', ms(rpc.serverMean)], w1));
  console.log(timesRow('    empty RPC', rpc.empty, rpc.emptyServerCpu));
  console.log(timesRow('  store, one query', sql));
  const [rpc50, store50] = [at(rpc.getOrder.times, 0.5), at(sql.times, 0.5)];
  console.log(`  RPC - store at p50: ${ms(rpc50 - store50)} (RPC/store ${(rpc50 / store50).toFixed(1)}x)`);
  const w2 = [24, 10, 10, 15, 26];
  console.log(row([`ListOrders page (${pageSize})`, 'keyset', 'OFFSET', 'OFFSET/keyset', 'rows read keyset/OFFSET'], w2));
  for (const r of list) {
    const ratio = `${(r.offset.ms / r.keyset.ms).toFixed(1)}x`;
    console.log(row([`  page ${fmt(r.page)}`, ms(r.keyset.ms), ms(r.offset.ms), ratio, `${fmt(r.keyset.rowsRead)} / ${fmt(r.offset.rowsRead)}`], w2));
  }
  // Deep enough, the planner stops walking the index and reads and sorts all of the customer's orders.
  for (const r of list) {
    for (const [name, t] of [
      ['keyset', r.keyset],
      ['OFFSET', r.offset],
    ] as const) {
      if (t.plan !== 'Index Scan') console.log(`  page ${fmt(r.page)} ${name} plan: ${t.plan}`);
    }
  }
} finally {
  await db.drop();
}
