/**
 * What sharding costs the reads (issue 13): the same orders on 1, 2, 4 and 8
 * order shards, each a fresh clone of the migrated oms_order template, all on
 * the one Postgres server of the tests (OMS_POSTGRES_URL): so this measures
 * the routing and the fan-out, not what more servers would add.
 *   Data                 ordersPerShard x 8 orders in every configuration (2 or 3 items and one history row
 *                        each, as bench/reads.ts), over 1,024 customers, one per bucket, so each shard of the
 *                        first map (contiguous bucket ranges, written by the service's own ensureMap) holds as
 *                        many; consecutive orders belong to scattered buckets, so the newest orders interleave
 *                        across the shards as real ones would
 *   GetOrder RPC         random orders through the real order-service as a process (ORDER_CACHE_TTL_MS=0) over
 *                        gRPC, one call at a time, after 2,000 warm-up calls (each row): the router's cost
 *   GetOrder store       OrderStore.getOrder in this process on the order's shard: the same ratio without the
 *                        RPC (its CPU column is this process's)
 *   ListAllOrders        the first page (20) and page 50 (its token found once by paging, then asked again)
 *   CountOrdersByStatus  every shard counts its orders, the service sums them
 *   CPU/call             the server's process_cpu_seconds_total (its /metrics) over the measured calls
 * All configurations are loaded and their servers started first; then every
 * configuration is warmed up, and measured in rounds that take the
 * configurations in turn (in a rotating order), so that the machine's noise,
 * which comes and goes, falls on all of them alike.
 *   npx tsx apps/order-service/bench/shards.ts [ordersPerShard=50000]
 */
import { createClient, type Client } from '@connectrpc/connect';
import { OrderService } from '@oms/contracts/order/v1';
import { pgAdapter, withClient } from '@oms/db';
import { postgresServerUrl, startAppProcess, type AppProcess } from '@oms/devstack';
import { serviceTransport } from '@oms/platform';
import { cloneTemplate, explain, prepareTemplate, type TestDatabase } from '@oms/testing';
import { PrismaClient } from '../src/generated/prisma/client';
import { ensureMap } from '../src/shards/catalog';
import { BUCKETS } from '../src/shards/ids';
import { shardName } from '../src/shards/open';
import { OrderStore } from '../src/store';
import { at, fmt, insertHistorySql, insertItemsSql, load, loadAverage, ms, row, serverCounters } from './common';

const ordersPerShard = Number(process.argv[2] ?? 50_000);
const shardCounts = [1, 2, 4, 8];
const orderCount = ordersPerShard * Math.max(...shardCounts);
const pageSize = 20;
const deepPage = 50;
const rounds = 4;
/** Calls per configuration: warm-up, then per round. */
const calls = {
  getOrder: { warmup: 2_000, perRound: 250 },
  store: { warmup: 2_000, perRound: 250 },
  page1: { warmup: 50, perRound: 50 },
  deepPage: { warmup: 50, perRound: 50 },
  count: { warmup: 10, perRound: 15 },
};
type Measure = keyof typeof calls;
const serviceDir = new URL('..', import.meta.url).pathname;

interface Setup {
  shardCount: number;
  /** By shard number. */
  stores: OrderStore[];
  shardOf: number[];
  orderIds: bigint[];
  app: AppProcess;
  orders: Client<typeof OrderService>;
  deepPageToken: string;
  /** Shard 0's plan for its part of CountOrdersByStatus (all shards are alike): node types, root first. */
  countPlan: string;
}

/** Everything opened, so that it is all closed and dropped at the end, also after a failure. */
const opened = { clones: [] as TestDatabase[], clients: [] as PrismaClient[], apps: [] as AppProcess[] };

/**
 * The i-th order (1..orderCount) belongs to the customer of bucket i * 797 mod 1024 (797 is odd: a
 * bijection that scatters consecutive orders over the buckets); created_at follows i, one second apart.
 */
const bucketOfOrderSql = `(i * 797) % ${BUCKETS}`;

/**
 * Loads one shard's part of orders lo..hi (the shard holds the customers of its buckets): the orders,
 * their items and their history in one statement; resolves with the orders inserted.
 */
async function insertOrders(db: PrismaClient, lo: number, hi: number, newest: Date): Promise<number> {
  return db.$executeRawUnsafe(
    `WITH new_orders AS (
       INSERT INTO orders (id, bucket, customer_id, status, total_minor, currency, created_at)
       SELECT new_row_id(c.bucket), c.bucket, c.id, (ARRAY['PENDING', 'PAID', 'SHIPPING', 'DELIVERED']::order_status[])[1 + i % 4],
              1000 + (i::bigint * 7919) % 90000, 'EUR', '${newest.toISOString()}'::timestamptz - make_interval(secs => ${orderCount} - i)
       FROM generate_series(${lo}, ${hi}) i JOIN customers c ON c.bucket = ${bucketOfOrderSql}
       RETURNING id, total_minor, status),
     new_items AS (${insertItemsSql('new_orders')})
     ${insertHistorySql('new_orders')}`,
  );
}

/** Clones, maps and loads `shardCount` shards, then starts order-service on them. */
async function setUp(shardCount: number): Promise<Setup> {
  const clones: TestDatabase[] = [];
  for (let shard = 0; shard < shardCount; shard++) {
    clones.push(await cloneTemplate('oms_order'));
    opened.clones.push(clones.at(-1)!);
  }
  // Pools of 2: ensureMap reads each shard (shard 0 too) inside a transaction on shard 0.
  const dbs = clones.map((clone) => new PrismaClient({ adapter: pgAdapter(clone.url, 2) }));
  opened.clients.push(...dbs);
  // The service's own first map (contiguous bucket ranges), written before the rows it places.
  const { shardOf } = await ensureMap(dbs.map((db, shard) => ({ db, name: shardName(clones[shard]!.url) })));
  await Promise.all(
    dbs.map((db) =>
      db.$executeRawUnsafe(
        `INSERT INTO customers (id, bucket, first_name, last_name, email)
         SELECT new_row_id(b::smallint), b, 'Bench', b::text, 'bench' || b || '@example.com'
         FROM generate_series(0, ${BUCKETS - 1}) b WHERE b IN (SELECT bucket FROM owned_buckets)`,
      ),
    ),
  );
  const newest = new Date();
  await load(`orders on ${shardCount} shard${shardCount > 1 ? 's' : ''}`, 1, orderCount, async (lo, hi) =>
    (await Promise.all(dbs.map((db) => insertOrders(db, lo, hi, newest)))).reduce((sum, n) => sum + n, 0),
  );
  // VACUUM as well as ANALYZE: otherwise autovacuum would start on the new rows in the middle of the measurements.
  await Promise.all(dbs.map((db) => db.$executeRawUnsafe('VACUUM ANALYZE')));
  // src/sql/orders.sql's CountOrdersByStatus: a parallel plan for the bigger shards, which on 2 busy cores can cost more than it saves.
  const countPlan = await withClient(clones[0]!.url, async (c) =>
    (await explain(c, 'SELECT status, count(*) FROM orders GROUP BY status', [])).map((n) => n['Node Type']).join(' > '),
  );
  const orderIds = (await Promise.all(dbs.map((db) => db.$queryRawUnsafe<{ id: bigint }[]>('SELECT id FROM orders')))).flat().map((r) => r.id);

  const app = await startAppProcess('order-service', {
    DATABASE_URL: clones[0]!.url,
    ORDER_SHARD_URLS: clones
      .slice(1)
      .map((c) => c.url)
      .join(','),
    ORDER_CACHE_TTL_MS: '0',
    LOG_LEVEL: 'warn',
  });
  opened.apps.push(app);
  const orders = createClient(OrderService, serviceTransport(app.url));
  let deepPageToken = '';
  for (let page = 1; page < deepPage; page++) deepPageToken = (await orders.listAllOrders({ pageSize, pageToken: deepPageToken })).nextPageToken;
  return { shardCount, stores: dbs.map((db, shard) => new OrderStore(db, shard)), shardOf, orderIds, app, orders, deepPageToken, countPlan };
}

const randomOrder = (setup: Setup) => setup.orderIds[Math.floor(Math.random() * setup.orderIds.length)]!;

/** One call of each measure, checked, so that a wrong answer cannot pass for a fast one. */
const measures: Record<Measure, (setup: Setup) => Promise<void>> = {
  async getOrder(setup) {
    const orderId = randomOrder(setup).toString();
    const { order } = await setup.orders.getOrder({ orderId });
    if (order?.id !== orderId || order.items.length < 2) throw new Error(`GetOrder ${orderId} answered ${JSON.stringify(order)}`);
  },
  async store(setup) {
    const id = randomOrder(setup);
    const order = await setup.stores[setup.shardOf[Number(id % BigInt(BUCKETS))]!]!.getOrder(id);
    if ((order?.items.length ?? 0) < 2) throw new Error(`order ${id}: ${JSON.stringify(order)}`);
  },
  async page1(setup) {
    const { orders, missingShards } = await setup.orders.listAllOrders({ pageSize });
    if (orders.length !== pageSize || missingShards.length > 0)
      throw new Error(`ListAllOrders: ${orders.length} orders, missing ${JSON.stringify(missingShards)}`);
  },
  async deepPage(setup) {
    const { orders, missingShards } = await setup.orders.listAllOrders({ pageSize, pageToken: setup.deepPageToken });
    if (orders.length !== pageSize || missingShards.length > 0) throw new Error(`ListAllOrders page ${deepPage}: ${orders.length} orders`);
  },
  async count(setup) {
    const { total, missingShards } = await setup.orders.countOrdersByStatus({});
    if (total !== BigInt(orderCount) || missingShards.length > 0)
      throw new Error(`CountOrdersByStatus: total ${total}, missing ${JSON.stringify(missingShards)}`);
  },
};

/** The method each measure calls, for the server's counters (undefined: in this process). */
const methods: Record<Measure, string | undefined> = {
  getOrder: 'GetOrder',
  store: undefined,
  page1: 'ListAllOrders',
  deepPage: 'ListAllOrders',
  count: 'CountOrdersByStatus',
};

interface Samples {
  /** Each call's time, ms. */
  times: number[];
  /** CPU seconds over the calls: the server's, or this process's for the store. */
  cpu: number;
}

const cpuSeconds = async (setup: Setup, measure: Measure) => {
  if (methods[measure]) return (await serverCounters(setup.app.metricsUrl, methods[measure])).cpu;
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

async function run(setup: Setup, measure: Measure, n: number, into?: Samples): Promise<void> {
  const before = into && (await cpuSeconds(setup, measure));
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await measures[measure](setup);
    into?.times.push(performance.now() - started);
  }
  if (into) into.cpu += (await cpuSeconds(setup, measure)) - before!;
}

const labels: Record<Measure, string> = {
  getOrder: 'GetOrder, RPC (cache off)',
  store: 'GetOrder, store in-process',
  page1: `ListAllOrders page 1 (${pageSize})`,
  deepPage: `ListAllOrders page ${deepPage}`,
  count: 'CountOrdersByStatus',
};

function printTable(setups: Setup[], samples: Map<Setup, Record<Measure, Samples>>, items: number): void {
  const server = new URL(postgresServerUrl());
  console.log(`\n${fmt(orderCount)} orders (${fmt(items)} items) over ${fmt(BUCKETS)} customers in every configuration, split evenly over its shards`);
  console.log(`all shards are databases on one Postgres server (${server.host}): this measures routing and fan-out, not scale-out`);
  const widths = [30, 8, 10, 10, 12, 10, 10];
  console.log(row(['', 'shards', 'p50', 'p99', 'CPU/call', 'p50/1', 'CPU/1'], widths));
  const stats = ({ times, cpu }: Samples) => {
    const sorted = [...times].sort((a, b) => a - b);
    return { p50: at(sorted, 0.5), p99: at(sorted, 0.99), cpu: (cpu / times.length) * 1000 };
  };
  const ratio = (value: number, base: number) => `${(value / base).toFixed(2)}x`;
  for (const measure of Object.keys(calls) as Measure[]) {
    const base = stats(samples.get(setups[0]!)![measure]);
    setups.forEach((setup, i) => {
      const { p50, p99, cpu } = stats(samples.get(setup)![measure]);
      const label = i === 0 ? labels[measure] : '';
      console.log(row([label, String(setup.shardCount), ms(p50), ms(p99), ms(cpu), ratio(p50, base.p50), ratio(cpu, base.cpu)], widths));
    });
  }
  const counts = Object.values(calls).map((c) => c.perRound * rounds);
  console.log(`calls measured per row: ${counts.join(', ')} (in the order above); p50/1, CPU/1: against the row of 1 shard`);
  console.log('CPU/call: the server process (user + system), except the store rows: this process (Prisma and pg client)');
  for (const setup of setups) console.log(`CountOrdersByStatus plan on each of ${setup.shardCount} shard(s): ${setup.countPlan}`);
}

console.log(`start: ${loadAverage()} (2 cores, shared: other runs may load it)`);
try {
  await prepareTemplate(serviceDir, 'oms_order');
  const setups: Setup[] = [];
  for (const shardCount of shardCounts) setups.push(await setUp(shardCount));
  // The first configuration has one shard: all the items.
  const items = await opened.clients[0]!.orderItem.count();
  const measureNames = Object.keys(calls) as Measure[];
  process.stdout.write('warm-up...\n');
  for (const setup of setups) for (const measure of measureNames) await run(setup, measure, calls[measure].warmup);
  const samples = new Map(
    setups.map((s) => [s, Object.fromEntries(measureNames.map((m) => [m, { times: [] as number[], cpu: 0 }])) as Record<Measure, Samples>]),
  );
  for (let round = 0; round < rounds; round++) {
    process.stdout.write(`round ${round + 1} of ${rounds}...\n`);
    const turn = setups.map((_, i) => setups[(i + round) % setups.length]!);
    for (const setup of turn) for (const measure of measureNames) await run(setup, measure, calls[measure].perRound, samples.get(setup)![measure]);
  }
  printTable(setups, samples, items);
} finally {
  await Promise.all(opened.apps.map((app) => app.stop()));
  await Promise.all(opened.clients.map((db) => db.$disconnect()));
  await Promise.all(opened.clones.map((clone) => clone.drop()));
  console.log(`end: ${loadAverage()}`);
}
