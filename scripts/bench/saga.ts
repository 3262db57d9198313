/**
 * `npm run bench:saga [-- --orders 200 --concurrency 12 --rate 5 --seconds 20 --sequential 40]`
 * (or BENCH_ORDERS, BENCH_CONCURRENCY, BENCH_RATE, BENCH_SECONDS, BENCH_SEQUENTIAL).
 * On one copy of the system (its own Postgres, its own Temporal dev server):
 *   (a) N one-item orders through POST /v1/orders, C in flight, each awaited
 *       through Temporal (not by polling the gateway, which would load it);
 *   (b) the floor: a no-op workflow of the saga's shape (as many activities
 *       as (a) measured, then an abandoned child on a long timer), same N and
 *       C, same server, its own worker in this process;
 *   (c) POST latency at an open-loop rate, and sequential POSTs hop by hop.
 * Prints Markdown tables on stdout, progress on stderr.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { InventoryService } from '@oms/contracts/inventory/v1';
import { OrderService } from '@oms/contracts/order/v1';
import { orderWorkflowId, trackingWorkflowId, type OrderOutcome } from '@oms/contracts/workflows';
import { freePort, serviceClient } from '@oms/platform';
import { findTemporalCli, launchSystem, postgresServer, removeInstance, type SystemState } from '@oms/devstack';
import { Client, Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { devJwtSecret, mintToken } from '@oms/platform/tokens';
import { startFloorWorker } from './floor';
import { requestJson } from './http';
import { closedLoop, openLoop, sequential, type Run } from './load';
import { cpuMeter, fixed, ms, progress, quantile, ratio, table } from './measure';

const { values: args } = parseArgs({
  options: Object.fromEntries(['orders', 'concurrency', 'rate', 'seconds', 'sequential'].map((name) => [name, { type: 'string' as const }])),
});
const setting = (name: string, fallback: number) => Number(args[name] ?? process.env[`BENCH_${name.toUpperCase()}`] ?? fallback);
const total = setting('orders', 200);
const concurrency = setting('concurrency', 12);
const offeredRate = setting('rate', 5);
const offeredSeconds = setting('seconds', 20);
const sequentialCount = setting('sequential', 40);
const day = 86_400_000;
const systemEnv = {
  LOG_LEVEL: 'warn', // logging stays out of the measurement
  SHIPPING_CARRIER_CONFIRM_MS: '200',
  RATE_LIMIT_PER_MINUTE: '1000000',
  DELIVERY_TIMEOUT_MS: String(day),
};
// Per run: two benchmarks at once must not share (and delete) each other's .data/<instance>.
const instance = `bench_saga_${process.pid}`;

/** One order or floor workflow: its ids, and how long its start and its whole run took. */
interface Timed {
  workflowId: string;
  childId: string;
  startMs: number;
  endToEndMs: number;
  /** performance.now() when the start (the POST) was answered. */
  answeredAt: number;
}

function withTimeout<T>(promise: Promise<T>, what: string, timeoutMs = 180_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

console.log(`# bench:saga — ${new Date().toISOString()}, commit ${gitHead()}\n`);
console.log(`orders N=${total}, in flight C=${concurrency}, open loop ${offeredRate}/s for ${offeredSeconds} s, ${sequentialCount} sequential calls per hop`);
console.log(
  `system env: ${Object.entries(systemEnv)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')}\n`,
);

const work = mkdtempSync(path.join(tmpdir(), 'oms-bench-saga-'));
const pgDir = path.join(work, 'postgres');
const postgres = await postgresServer({ dataDir: pgDir, port: await freePort() });
await postgres.start();
const cleanUp = async () => {
  await removeInstance(instance, postgres.url);
  postgres.stop();
  rmSync(work, { recursive: true, force: true });
};
process.stderr.write(`starting the system (npm start, instance ${instance})...\n`);
const system = await launchSystem({ instance, postgresUrl: postgres.url, env: systemEnv }).catch(async (error: unknown) => {
  await cleanUp();
  throw error;
});
try {
  await benchmark();
} catch (error) {
  console.error(`\nthe benchmark failed: ${String(error)}\n--- the launcher's output ---\n${system.output()}`);
  process.exitCode = 1;
} finally {
  await system.stop();
  await cleanUp();
}
// The Temporal client's connections would keep the process alive.
process.exit();

async function benchmark(): Promise<void> {
  const state = system.state();
  const app = (name: string) => state.apps[name]!;
  const gateway = state.gatewayUrl;
  const client = new Client({ connection: await Connection.connect({ address: state.temporalAddress }) });

  // Seed through the admin API: several customers, several products (one hot stock row would measure lock waits).
  const admin = await mintToken(devJwtSecret, { sub: 'bench-admin', roles: ['admin'], ttl: '12h' });
  const skus: string[] = [];
  for (let i = 0; i < 4; i++) {
    const { sku } = await requestJson(`${gateway}/v1/admin/products`, {
      token: admin,
      body: { sku: `BENCH-${i}`, name: `Bench item ${i}`, unitPrice: { amountMinor: '1299', currency: 'EUR' }, initialStock: 1_000_000_000 },
    });
    skus.push(sku!);
  }
  const customers: { id: string; token: string }[] = [];
  for (let i = 0; i < 8; i++) {
    const { id } = await requestJson(`${gateway}/v1/admin/customers`, {
      token: admin,
      headers: { 'idempotency-key': randomUUID() },
      body: {
        name: `Bench ${i}`,
        email: `bench${i}@example.com`,
        shippingAddress: { name: `Bench ${i}`, line1: '1 Loop Rd', city: 'Berlin', postalCode: '10115', country: 'DE' },
      },
    });
    customers.push({ id: id!, token: await mintToken(devJwtSecret, { sub: id!, ttl: '12h' }) });
  }

  const post = (i: number, agent?: false) =>
    requestJson(`${gateway}/v1/orders`, {
      token: customers[i % customers.length]!.token,
      headers: { 'idempotency-key': randomUUID() },
      body: { lines: [{ sku: skus[i % skus.length], quantity: 1 }], paymentToken: 'tok_success' },
      agent,
    }).then((r) => r.orderId!);
  const orderResult = async (orderId: string) => {
    const outcome = await withTimeout(client.workflow.getHandle(orderWorkflowId(orderId)).result() as Promise<OrderOutcome>, `order ${orderId}`);
    if (outcome.status !== 'COMPLETED') throw new Error(`order ${orderId} ended ${outcome.status}: ${outcome.reason}`);
  };
  const order = async (i: number): Promise<Timed> => {
    const started = performance.now();
    const orderId = await post(i);
    const posted = performance.now();
    await orderResult(orderId);
    return {
      workflowId: orderWorkflowId(orderId),
      childId: trackingWorkflowId(orderId),
      startMs: posted - started,
      endToEndMs: performance.now() - started,
      answeredAt: posted,
    };
  };

  const postmaster = Number(readFileSync(path.join(pgDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const processes: Record<string, number> = {
    'Temporal server': state.temporalPid!,
    'orchestrator worker': app('orchestrator').pid,
    'order-service': app('order-service').pid,
    'payment-service': app('payment-service').pid,
    'inventory-service': app('inventory-service').pid,
    'shipping-service': app('shipping-service').pid,
    gateway: app('gateway').pid,
    'Postgres (all backends)': postmaster,
  };
  /** Runs a closed loop with CPU accounting around exactly its window. */
  const measured = async (label: string, one: (i: number) => Promise<Timed>) => {
    const meter = cpuMeter(processes);
    const selfBefore = process.cpuUsage();
    meter.start();
    const run = await closedLoop(label, total, concurrency, one);
    const cpu = meter.stop();
    const self = process.cpuUsage(selfBefore);
    cpu['bench process'] = (self.user + self.system) / 1e6;
    return { run, cpu };
  };

  // (a) ours
  await closedLoop('(a) warm-up', concurrency, concurrency, order);
  const ours = await measured('(a) orders through the HTTP API', order);
  const oursHistory = await histories(client, ours.run.results);
  const activities = mode(oursHistory.activities);
  if (!Number.isFinite(activities)) throw new Error(`no order completed: ${ours.run.failures.slice(0, 3).join('; ')}`);

  // (b) the floor, with as many activities as the saga has now
  const floorWorker = await startFloorWorker(state.temporalAddress);
  const runId = randomUUID().slice(0, 8);
  const floorOne =
    (prefix: string) =>
    async (i: number): Promise<Timed> => {
      const workflowId = `bench-floor-${runId}-${prefix}${i}`;
      const started = performance.now();
      const handle = await client.workflow.start('FloorWorkflow', {
        taskQueue: floorWorker.taskQueue,
        workflowId,
        args: [{ activities, childTimerMs: day }],
      });
      const posted = performance.now();
      await withTimeout(handle.result(), workflowId);
      return { workflowId, childId: `${workflowId}-child`, startMs: posted - started, endToEndMs: performance.now() - started, answeredAt: posted };
    };
  await closedLoop('(b) warm-up', concurrency, concurrency, floorOne('warm-'));
  const floor = await measured(`(b) floor workflows (${activities} no-op activities + child)`, floorOne(''));
  const floorHistory = await histories(client, floor.run.results);

  // (c) POST latency at an offered rate, then hop by hop
  const open = await openLoop(`(c) POST at ${offeredRate}/s`, offeredRate, offeredSeconds, order);
  const hops = await hopByHop();
  await floorWorker.stop();

  printSagaTables();
  printPostTables();
  // A restarted app has a new pid, which the CPU accounting above would have missed.
  const restarted = Object.entries(system.state().apps).filter(([, a]) => a.restarts > 0);
  console.log(`\napps restarted during the run: ${restarted.map(([name, a]) => `${name} (${a.restarts}×)`).join(', ') || 'none'}`);

  async function hopByHop() {
    const orders = serviceClient(OrderService, app('order-service').url!);
    const inventory = serviceClient(InventoryService, app('inventory-service').url!);
    /** Times each call alone; what it set off (a saga) ends before the next call. */
    const quiet = async (label: string, call: (i: number) => Promise<() => Promise<unknown>>) => {
      process.stderr.write(`  (c) ${label}\n`);
      const times: number[] = [];
      for (let i = 0; i < sequentialCount; i++) {
        const started = performance.now();
        const aftermath = await call(i);
        times.push(performance.now() - started);
        await aftermath();
      }
      return times;
    };
    const none = async () => undefined;
    const rows: { hop: string; times: number[]; note: string }[] = [];
    const add = (hop: string, times: number[], note = '') => rows.push({ hop, times, note });

    add('GET /healthz (HTTP + Fastify, nothing behind)', await quiet('GET /healthz', async () => (await requestJson(`${gateway}/healthz`), none)));
    add('inventory ListProducts over gRPC', await quiet('ListProducts', async () => (await inventory.listProducts({ skus: [skus[0]!], pageSize: 1 }), none)));
    add(
      'order-service CreateOrder over gRPC (prices through ListProducts)',
      await quiet('CreateOrder', async (i) => {
        await orders.createOrder({ customerId: customers[i % customers.length]!.id, lines: [{ sku: skus[0]!, quantity: 1 }], idempotencyKey: randomUUID() });
        return none;
      }),
    );
    add(
      'Temporal StartWorkflow alone (an empty workflow)',
      await quiet('StartWorkflow', async (i) => {
        const handle = await client.workflow.start('EmptyWorkflow', { taskQueue: floorWorker.taskQueue, workflowId: `bench-empty-${runId}-${i}` });
        return () => handle.result();
      }),
    );
    const quietBefore = await serverTimes(state.apps);
    const quietPosts = await quiet('POST quiet', async (i) => {
      const orderId = await post(i);
      return () => orderResult(orderId);
    });
    const quietInside = insideThePost(quietBefore, await serverTimes(state.apps), quietPosts);
    add('POST /v1/orders, quiet (each after the previous saga ended)', quietPosts);
    add(
      'POST /v1/orders, quiet, a new TCP connection each',
      await quiet('POST new connection', async (i) => {
        const orderId = await post(i, false);
        return () => orderResult(orderId);
      }),
    );

    // As apps/gateway/bench/post-orders.ts did: POST after POST, while the sagas they start pile up behind.
    const before = await serverTimes(state.apps);
    const placed: string[] = [];
    const posting = progress(`(c) ${total} POSTs back to back`, total, () => placed.length);
    const backToBack = await sequential(total, async (i) => placed.push(await post(i)));
    posting.done();
    const after = await serverTimes(state.apps);
    add(
      `POST /v1/orders, ${total} back to back (sagas pile up behind)`,
      backToBack,
      `${fixed(total / (backToBack.reduce((a, b) => a + b, 0) / 1000), 1)} POSTs/s offered`,
    );
    const ended = performance.now();
    let drained = 0;
    const draining = progress('(c) their sagas', total, () => drained);
    await Promise.all(placed.map((id) => orderResult(id).then(() => drained++)));
    draining.done();
    const drainS = (performance.now() - ended) / 1000;
    const inside = insideThePost(before, after, backToBack);

    add('StartWorkflow, dev server with default SQLite pragmas (as before WAL)', await startsOnPlainDevServer(sequentialCount));
    return { rows, quietInside, inside, drainS };
  }

  function printSagaTables(): void {
    const o = ours.run;
    const f = floor.run;
    const rate = (run: Run<Timed>) => (run.results.length / run.elapsedMs) * 1000;
    const e2e = (run: Run<Timed>, q: number) =>
      quantile(
        run.results.map((r) => r.endToEndMs),
        q,
      );
    const start = (run: Run<Timed>, q: number) =>
      quantile(
        run.results.map((r) => r.startMs),
        q,
      );
    const perOrder = (cpu: Record<string, number>, name: string, run: Run<Timed>) => ((cpu[name] ?? 0) / run.results.length) * 1000;
    const names = Object.keys(processes);
    const oursTotal = names.reduce((acc, n) => acc + perOrder(ours.cpu, n, o), 0);
    // The floor's system is Temporal and its worker (in the bench process, with the load driver).
    const floorTotal = perOrder(floor.cpu, 'Temporal server', f) + perOrder(floor.cpu, 'bench process', f);
    const temporalOurs = perOrder(ours.cpu, 'Temporal server', o);
    const temporalFloor = perOrder(floor.cpu, 'Temporal server', f);
    const average = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

    console.log(`## (a) ours vs (b) the floor: ${total} workflows, ${concurrency} in flight, one Temporal server\n`);
    console.log(
      table(
        ['', 'ours (POST /v1/orders → saga)', `floor (${activities} no-op activities + child)`, 'ours / floor'],
        [
          ['completed / failed', `${o.results.length} / ${o.failures.length}`, `${f.results.length} / ${f.failures.length}`, ''],
          ['throughput, workflows/s', fixed(rate(o)), fixed(rate(f)), ratio(rate(o), rate(f))],
          ['end to end p50, ms', ms(e2e(o, 0.5)), ms(e2e(f, 0.5)), ratio(e2e(o, 0.5), e2e(f, 0.5))],
          ['end to end p99, ms', ms(e2e(o, 0.99)), ms(e2e(f, 0.99)), ratio(e2e(o, 0.99), e2e(f, 0.99))],
          ['start p50 / p99, ms (ours: the POST)', `${ms(start(o, 0.5))} / ${ms(start(o, 0.99))}`, `${ms(start(f, 0.5))} / ${ms(start(f, 0.99))}`, ''],
          ['activities per workflow', spread(oursHistory.activities), spread(floorHistory.activities), ''],
          [
            'history events per workflow',
            spread(oursHistory.events),
            spread(floorHistory.events),
            ratio(average(oursHistory.events), average(floorHistory.events)),
          ],
          ['history events of its child so far', spread(oursHistory.childEvents), spread(floorHistory.childEvents), ''],
          ['Temporal server CPU ms per workflow', fixed(temporalOurs, 1), fixed(temporalFloor, 1), ratio(temporalOurs, temporalFloor)],
          ['total CPU ms per workflow (see below)', fixed(oursTotal, 1), fixed(floorTotal, 1), ratio(oursTotal, floorTotal)],
        ],
      ),
    );
    if (o.failures.length) console.log(`\nfirst failures (ours): ${o.failures.slice(0, 3).join('; ')}`);
    if (f.failures.length) console.log(`\nfirst failures (floor): ${f.failures.slice(0, 3).join('; ')}`);
    console.log(`\n(histories of ${oursHistory.events.length} completed workflows each; values are min–max)\n`);

    console.log(`### CPU per workflow by process (from /proc utime+stime over the measured window; Postgres = postmaster + every backend, reaped ones too)\n`);
    const row = (name: string) => [name, fixed(ours.cpu[name]!, 2), fixed(perOrder(ours.cpu, name, o), 1), fixed(perOrder(floor.cpu, name, f), 1)];
    const busy = (cpu: Record<string, number>, run: Run<Timed>, counted: string[]) => counted.reduce((acc, n) => acc + cpu[n]!, 0) / (run.elapsedMs / 1000);
    console.log(
      table(
        ['process', 'ours: CPU s', 'ours: CPU ms per order', 'floor: CPU ms per workflow'],
        [
          ...names.map(row),
          [
            '**total: ours = the 8 processes above; floor = Temporal + bench process**',
            fixed((oursTotal * o.results.length) / 1000, 2),
            fixed(oursTotal, 1),
            fixed(floorTotal, 1),
          ],
          ['ratio to the floor', '', ratio(oursTotal, floorTotal), '1.0×'],
          [
            'bench process (ours: load driver; floor: its worker + load driver)',
            fixed(ours.cpu['bench process']!, 2),
            fixed(perOrder(ours.cpu, 'bench process', o), 1),
            fixed(perOrder(floor.cpu, 'bench process', f), 1),
          ],
          ['cores busy (of 2) during the window', '', fixed(busy(ours.cpu, o, names), 2), fixed(busy(floor.cpu, f, ['Temporal server', 'bench process']), 2)],
        ],
      ),
    );
    console.log(`\nwall time of the measured window: ours ${fixed(o.elapsedMs / 1000, 1)} s, floor ${fixed(f.elapsedMs / 1000, 1)} s\n`);
  }

  function printPostTables(): void {
    const posts = open.results.map((r) => r.startMs);
    const e2e = open.results.map((r) => r.endToEndMs);
    // Accepted: POSTs answered per second, from the first sent to the last answered.
    const accepted = (open.results.length / (Math.max(...open.results.map((r) => r.answeredAt)) - open.startedAt)) * 1000;
    console.log(`## (c) POST /v1/orders at an offered rate (open loop: a request every ${fixed(1000 / offeredRate, 0)} ms, whatever the earlier ones do)\n`);
    console.log(
      table(
        ['offered /s', 'accepted /s', 'requests', 'failed', 'POST p50 ms', 'POST p99 ms', 'end to end p50 ms', 'end to end p99 ms'],
        [
          [
            offeredRate,
            fixed(accepted, 1),
            open.results.length,
            open.failures.length,
            ms(quantile(posts, 0.5)),
            ms(quantile(posts, 0.99)),
            ms(quantile(e2e, 0.5)),
            ms(quantile(e2e, 0.99)),
          ],
        ],
      ),
    );
    if (open.failures.length) console.log(`\nfirst failures: ${open.failures.slice(0, 3).join('; ')}`);
    console.log(`\n### Sequential calls, hop by hop (${sequentialCount} each unless said)\n`);
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    console.log(
      table(
        ['hop', 'calls', 'p50 ms', 'p99 ms', 'mean ms', ''],
        hops.rows.map(({ hop, times, note }) => [hop, times.length, ms(quantile(times, 0.5)), ms(quantile(times, 0.99)), ms(avg(times)), note]),
      ),
    );
    console.log(
      `\nInside the POST (mean ms; server side from the apps' /metrics histograms; the back-to-back sagas took ${fixed(hops.drainS, 1)} s more to drain after the last POST):\n`,
    );
    console.log(
      table(
        ['hop', 'quiet POSTs', 'back-to-back POSTs'],
        hops.inside.map(([hop, v], i) => [hop, ms(hops.quietInside[i]![1]), ms(v)]),
      ),
    );
  }
}

type ServerTimes = Awaited<ReturnType<typeof serverTimes>>;

/** Where a POST's time went, as means between two scrapes of the apps' histograms. */
function insideThePost(before: ServerTimes, after: ServerTimes, clientTimes: number[]) {
  const mean = (key: keyof ServerTimes) => ((after[key].sum - before[key].sum) / (after[key].count - before[key].count)) * 1000;
  return [
    ['POST as the client sees it', clientTimes.reduce((a, b) => a + b, 0) / clientTimes.length],
    ['gateway route (server side)', mean('gateway')],
    ['of which: order-service CreateOrder (server side)', mean('createOrder')],
    ['of which, inside CreateOrder: inventory ListProducts (server side)', mean('listProducts')],
    ['of which: StartWorkflow + the gateway itself (the rest)', mean('gateway') - mean('createOrder')],
  ] as const;
}

/** Server-side time spent in POST /v1/orders and the RPCs behind it so far: sums and counts of the apps' histograms. */
async function serverTimes(apps: SystemState['apps']) {
  const scrape = async (url: string, name: string, label: string) => {
    const text = await (await fetch(url)).text();
    const sum = (suffix: string) =>
      text
        .split('\n')
        .filter((line) => line.startsWith(`${name}_${suffix}{`) && line.includes(label))
        .reduce((acc, line) => acc + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
    return { sum: sum('sum'), count: sum('count') };
  };
  return {
    gateway: await scrape(apps.gateway!.metricsUrl, 'http_request_duration_seconds', 'route="/v1/orders"'),
    createOrder: await scrape(apps['order-service']!.metricsUrl, 'rpc_server_duration_seconds', 'method="CreateOrder"'),
    listProducts: await scrape(apps['inventory-service']!.metricsUrl, 'rpc_server_duration_seconds', 'method="ListProducts"'),
  };
}

/** StartWorkflow on a second, empty dev server with SQLite's default journal (what `npm start` ran before WAL). */
async function startsOnPlainDevServer(count: number): Promise<number[]> {
  process.stderr.write('  (c) StartWorkflow on a dev server with default SQLite pragmas\n');
  const port = await freePort();
  const server = spawn(
    findTemporalCli()!,
    ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port), '--db-filename', path.join(work, 'plain.db'), '--log-level', 'error'],
    { stdio: 'ignore' },
  );
  try {
    let connection: Connection | undefined;
    for (let waited = 0; !connection; waited += 250) {
      connection = await Connection.connect({ address: `127.0.0.1:${port}`, connectTimeout: 1_000 }).catch(() => undefined);
      if (!connection && waited > 30_000) throw new Error('the second Temporal dev server did not start');
      if (!connection) await new Promise((r) => setTimeout(r, 250));
    }
    const plain = new Client({ connection });
    await plain.workflow.start('EmptyWorkflow', { taskQueue: 'nobody', workflowId: 'warm-up' }).catch(() => undefined); // namespace may still be registering
    const times = await sequential(count, (i) => plain.workflow.start('EmptyWorkflow', { taskQueue: 'nobody', workflowId: `plain-${i}` }));
    await connection.close();
    return times;
  } finally {
    server.kill('SIGKILL');
  }
}

/** Activities scheduled and events in the histories of a few completed workflows (spread over the run), and of their children. */
async function histories(client: Client, results: Timed[], sample = 5) {
  const scheduled = proto.temporal.api.enums.v1.EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED;
  const picked = Array.from({ length: Math.min(sample, results.length) }, (_, i) => results[Math.floor((i * results.length) / sample)]!);
  const counts = { activities: [] as number[], events: [] as number[], childEvents: [] as number[] };
  for (const { workflowId, childId } of picked) {
    const { events } = await client.workflow.getHandle(workflowId).fetchHistory();
    counts.events.push(events!.length);
    counts.activities.push(events!.filter((e) => e.eventType === scheduled).length);
    counts.childEvents.push((await client.workflow.getHandle(childId).fetchHistory()).events!.length);
  }
  return counts;
}

function mode(xs: number[]): number {
  const counts = new Map<number, number>();
  for (const x of xs) counts.set(x, (counts.get(x) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? NaN;
}

function spread(xs: number[]): string {
  if (!xs.length) return '—';
  return Math.min(...xs) === Math.max(...xs) ? String(xs[0]) : `${Math.min(...xs)}–${Math.max(...xs)}`;
}

function gitHead(): string {
  const git = (...a: string[]) => execFileSync('git', a, { cwd: import.meta.dirname, encoding: 'utf8' }).trim();
  try {
    return `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--untracked-files=no') ? ' + uncommitted changes' : ''}`;
  } catch {
    return 'unknown';
  }
}
