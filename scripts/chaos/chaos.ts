/**
 * A chaos run: the whole system as `npm start` runs it (supervised, on a
 * Postgres of its own), orders placed through the HTTP API while every app is
 * SIGKILLed and Postgres crashes once; then, once every order has ended, the
 * checks read the services' databases (every order shard). `npm run chaos` and scripts/test/chaos.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { orderWorkflowId } from '@oms/contracts/workflows';
import { withClient } from '@oms/db';
import { dropDatabase } from '@oms/db/migrations';
import { freePort } from '@oms/platform';
import { appDatabases, instanceDirs, launchSystem, postgresServer, workspaceRoot, type PostgresServer, type RunningSystem } from '@oms/devstack';
import { Client, Connection } from '@temporalio/client';
import { isTerminal, readLedgers, runChecks, type Ledgers, type PlacedOrder, type UnplacedOrder } from './checks';
import { GatewayClient } from './client';
import { Chaos } from './faults';
import { makePlan, type Plan } from './plan';
import type { ChaosResult } from './report';

export interface ChaosOptions {
  orders: number;
  /** How many times each app is killed. */
  killRounds: number;
  seed: number;
  /** Orders sent per second, and at most this many POSTs in flight. */
  ratePerSecond: number;
  concurrency: number;
  /** How long the driver keeps sending one order (the same Idempotency-Key) before it gives up. */
  placeTimeoutMs: number;
  /** How long to wait, after the last order was placed, for every order to end. */
  settleTimeoutMs: number;
  log: (line: string) => void;
}

const since = (start: number) => Math.round((Date.now() - start) / 1000);

export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const { log } = options;
  const started = Date.now();
  const plan = makePlan(options);
  log(`plan (seed ${options.seed}): ${plan.orders.length} orders from ${plan.customers} customers, ${plan.faults.length} faults`);

  // Instance names allow [a-z0-9_]: its databases, Temporal history and logs are its own.
  const instance = `chaos_${process.pid}`;
  const dirs = instanceDirs(instance);
  const dataDir = path.join(dirs.data, 'postgres');
  const seeded = plantSeedCluster(dataDir);
  const postgres = await postgresServer({ dataDir, port: await freePort() });
  let system: RunningSystem | undefined;
  let passed = false;
  try {
    await postgres.start();
    log(`Postgres of its own at ${new URL(postgres.url).host}${seeded ? ' (from the seed cluster)' : ''}; starting the system (npm start, supervised)...`);
    system = await launchSystem({
      instance,
      postgresUrl: postgres.url,
      // Nobody answers for an order short of stock: it is cancelled after 2 s instead of 30 min.
      env: { LOG_LEVEL: 'warn', SHIPPING_CARRIER_CONFIRM_MS: '300', RATE_LIMIT_PER_MINUTE: '1000000', ORDER_AWAIT_CUSTOMER_MS: '2000' },
      timeoutMs: 240_000,
    });
    const state = system.state();
    const db = {
      order: appDatabases(state, 'order-service'),
      payment: state.databases['payment-service']!,
      inventory: state.databases['inventory-service']!,
      shipping: state.databases['shipping-service']!,
    };
    const client = new GatewayClient(state.gatewayUrl, options.placeTimeoutMs);
    const customers = await client.seed(plan);
    const startup = since(started);
    log(`system up and seeded in ${startup} s (gateway ${state.gatewayUrl})`);

    const chaos = new Chaos(system, postgres, db.order[0]!, log);
    const placingStarted = Date.now();
    const { placed, unplaced } = await placeUnderFaults(plan, client, customers, chaos, options);
    const placing = since(placingStarted);
    log(`${placed.length} orders placed and every fault healed in ${placing} s (${client.retries} requests retried); waiting for the orders to end...`);

    const settlingStarted = Date.now();
    await settle(db.order, placed, options.settleTimeoutMs, log);
    const settling = since(settlingStarted);
    const ledgers = await readLedgers(db);
    const checks = runChecks(placed, unplaced, plan.products, ledgers);
    const status = new Map(ledgers.orders.map((o) => [o.id!, o.status]));
    const stuck = placed.filter((p) => !isTerminal(status.get(p.orderId)));
    if (stuck.length) checks.find((c) => c.name === 'every order terminal')!.failures = await describeStuck(state.temporalAddress, stuck, ledgers);
    passed = checks.every((c) => !c.failures.length);
    const seconds = { startup, placing, settling, total: since(started) };
    return { placed, unplaced, ledgers, faults: chaos.done, restarts: chaos.restarts(), checks, retries: client.retries, conflicts: client.conflicts, seconds };
  } finally {
    if (system) {
      const code = await system.stop();
      if (code !== 0) log(`the launcher exited with ${code}; its output (end):\n${system.output().slice(-2_000)}`);
    }
    stopPostgres(postgres, await dropOwnDatabases(system), dataDir, log);
    // The logs stay when something failed (Postgres's with them); the data never does.
    if (!passed && existsSync(`${dataDir}.log`)) {
      mkdirSync(dirs.logs, { recursive: true });
      renameSync(`${dataDir}.log`, path.join(dirs.logs, 'postgres.log'));
    }
    rmSync(dirs.data, { recursive: true, force: true });
    if (passed) rmSync(dirs.logs, { recursive: true, force: true });
    else log(`logs kept in ${path.relative(process.cwd(), dirs.logs)}`);
  }
}

/**
 * A new cluster spends half a minute migrating the services' template
 * databases. The last run's cluster, cleanly stopped with its own databases
 * dropped, holds just those templates: copied, it saves that time. Only a
 * seed: the launcher still migrates (or recreates) a template that is behind.
 */
const seedCluster = path.join(workspaceRoot, '.data', 'chaos-postgres-seed');

function plantSeedCluster(dataDir: string): boolean {
  mkdirSync(path.dirname(dataDir), { recursive: true });
  if (!existsSync(path.join(seedCluster, 'PG_VERSION'))) return false;
  execFileSync('cp', ['-a', seedCluster, dataDir]); // -a: Postgres insists on its owner and modes
  return true;
}

/** Drops the run's databases, leaving the templates; says whether that worked (the cluster can then seed the next run). */
async function dropOwnDatabases(system: RunningSystem | undefined): Promise<boolean> {
  try {
    const state = system!.state();
    for (const app of Object.keys(state.databases)) for (const url of appDatabases(state, app)) await dropDatabase(url);
    return true;
  } catch {
    return false;
  }
}

function stopPostgres(postgres: PostgresServer, keepAsSeed: boolean, dataDir: string, log: (line: string) => void): void {
  try {
    postgres.stop('fast');
  } catch {
    return; // not running: a failed start or restart
  }
  if (!keepAsSeed) return;
  try {
    const fresh = `${seedCluster}.${process.pid}`;
    renameSync(dataDir, fresh);
    rmSync(seedCluster, { recursive: true, force: true });
    renameSync(fresh, seedCluster);
  } catch (error) {
    log(`the seed cluster was not kept: ${String(error)}`);
  }
}

/**
 * Places the plan's orders, paced and a few at a time, while the faults fire
 * in turn, each once its number of orders is placed (without waiting for the
 * previous one to heal: faults may overlap, but every one meets orders coming
 * in); then waits until every fault has healed.
 * An order the gateway does not accept within the client's retry window stops
 * the driver: it and the orders not sent yet are returned as unplaced.
 */
async function placeUnderFaults(
  plan: Plan,
  client: GatewayClient,
  customers: { id: string; token: string }[],
  chaos: Chaos,
  options: ChaosOptions,
): Promise<{ placed: PlacedOrder[]; unplaced: UnplacedOrder[] }> {
  const placed: PlacedOrder[] = [];
  const unplaced: UnplacedOrder[] = [];
  const start = Date.now();
  const due = (index: number) => start + (index * 1000) / options.ratePerSecond;
  let faultFailed: unknown;
  const faults = (async () => {
    for (const fault of plan.faults) {
      while (placed.length < fault.afterOrder && !unplaced.length) await sleep(50);
      if (unplaced.length) return;
      await chaos.inject(fault, placed.length);
    }
  })().catch((error: unknown) => (faultFailed = error));

  let next = 0;
  let lastProgress = Date.now();
  const worker = async () => {
    while (next < plan.orders.length && !faultFailed && !unplaced.length) {
      const order = plan.orders[next++]!;
      await sleep(due(order.index) - Date.now());
      const { token } = customers[order.customer]!;
      const body = { lines: order.lines, paymentToken: order.paymentToken };
      try {
        const { orderId } = (await client.post('/v1/orders', token, body, 202, `chaos-order-${order.index}`)) as { orderId: string };
        placed.push({ ...order, orderId });
      } catch (error) {
        unplaced.push({ ...order, error: (error as Error).message });
        options.log(`order ${order.index} could not be placed, the driver stops: ${(error as Error).message}`);
      }
      if (Date.now() - lastProgress > 5_000) {
        lastProgress = Date.now();
        options.log(`placed ${placed.length}/${plan.orders.length} orders (${client.retries} requests retried)`);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  await faults;
  if (faultFailed) throw faultFailed;
  await chaos.healed();
  const notSent = plan.orders.filter((o) => o.index >= next).map((o) => ({ ...o, error: 'not sent: the driver had stopped' }));
  const byIndex = (a: { index: number }, b: { index: number }) => a.index - b.index;
  return { placed: placed.sort(byIndex), unplaced: [...unplaced, ...notSent].sort(byIndex) };
}

/** Waits until every order is terminal on its order shard, or time is up. */
async function settle(orderDbs: string[], placed: PlacedOrder[], timeoutMs: number, log: (line: string) => void): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const statuses = (url: string) =>
    withClient(url, async (c) => (await c.query<{ id: string; status: string }>('SELECT id::text, status::text FROM orders')).rows);
  for (let round = 0; ; round++) {
    const rows = (await Promise.all(orderDbs.map(statuses))).flat();
    const status = new Map(rows.map((r) => [r.id, r.status]));
    const open = placed.filter((p) => !isTerminal(status.get(p.orderId)));
    if (!open.length) return;
    if (Date.now() > deadline) return log(`${open.length} orders still open after ${timeoutMs / 1000} s`);
    if (round % 5 === 0) {
      const counts = new Map<string, number>();
      for (const p of open) counts.set(status.get(p.orderId) ?? 'missing', (counts.get(status.get(p.orderId) ?? 'missing') ?? 0) + 1);
      log(`${placed.length - open.length}/${placed.length} orders ended; still open: ${[...counts].map(([s, n]) => `${s} ${n}`).join(', ')}`);
    }
    await sleep(1_000);
  }
}

/** Each stuck order with its workflow's status (a moment later) and what it is waiting on, for the failure message. */
async function describeStuck(temporalAddress: string, stuck: PlacedOrder[], ledgers: Ledgers): Promise<string[]> {
  const status = new Map(ledgers.orders.map((o) => [o.id!, o.status]));
  const connection = await Connection.connect({ address: temporalAddress });
  try {
    const temporal = new Client({ connection });
    return await Promise.all(
      stuck.map(async (p) => {
        const what = `order ${p.orderId} (${p.kind}, ${p.paymentToken}) is ${status.get(p.orderId) ?? 'missing'}`;
        try {
          const { status: wf, raw } = await temporal.workflow.getHandle(orderWorkflowId(p.orderId)).describe();
          const pending = (raw.pendingActivities ?? []).map(
            (a) => `${a.activityType?.name} attempt ${a.attempt}${a.lastFailure?.message ? ` (last failure: ${a.lastFailure.message})` : ''}`,
          );
          return `${what}; workflow ${wf.name}${pending.length ? `, pending: ${pending.join('; ')}` : ''}`;
        } catch (error) {
          return `${what}; workflow: ${(error as Error).message}`;
        }
      }),
    );
  } finally {
    await connection.close();
  }
}
