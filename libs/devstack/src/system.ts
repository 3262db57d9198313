/**
 * Copies of the whole system. `OMS_INSTANCE=<name> npm start` runs one with
 * its own databases (`oms_order_<name>`, `oms_order_shard1_<name>`, ...), its own Temporal history
 * (.data/<name>/temporal.db), logs in .logs/<name>/ and free ports, and keeps
 * .data/<name>/system.json saying where everything is. `launchSystem` runs
 * such a copy for benchmarks and the chaos test, as a user would.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { withDatabase } from '@oms/db';
import { dropDatabase } from '@oms/db/migrations';
import { outputTail } from './processes';
import { postgresServerUrl } from './postgres';
import { services, shardDatabases, workspaceRoot } from './workspace';

export interface AppState {
  pid: number;
  /** Where it serves RPCs or HTTP (not the orchestrator, which only works Temporal's queue). */
  url?: string;
  metricsUrl: string;
  /** How many times the launcher started it again after it exited unexpectedly. */
  restarts: number;
}

export interface SystemState {
  gatewayUrl: string;
  temporalAddress: string;
  /** When the launcher started the Temporal dev server itself. */
  temporalPid?: number;
  temporalUiUrl?: string;
  /** Database URLs, by app (shard 0 of a sharded service). */
  databases: Record<string, string>;
  /** The URLs of a sharded service's shards 1..n-1, by app (order-service). */
  shards: Record<string, string[]>;
  /** By app: the four services, `orchestrator` and `gateway`. */
  apps: Record<string, AppState>;
  launcherPid?: number;
  logDir?: string;
}

export interface RunningSystem {
  /** Re-reads system.json (the launcher rewrites it whenever an app (re)starts). */
  state(): SystemState;
  /** The last 64 KiB of the launcher's output. */
  output(): string;
  launcherPid: number;
  /** SIGTERM; resolves with the launcher's exit code. */
  stop(): Promise<number | null>;
}

/**
 * An instance's name ends up in database names, so it is kept to what needs
 * no quoting, and away from the names of templates and test clones (which
 * prepareTemplate drops once their process is gone).
 */
export function checkInstanceName(instance: string): string {
  if (!/^[a-z0-9][a-z0-9_]{0,39}$/.test(instance) || /^(test|template)/.test(instance)) {
    throw new Error(`instance name "${instance}": use up to 40 of a-z, 0-9 and _, not starting with test or template`);
  }
  return instance;
}

/** The database of a copy: the default copy (no instance) has the developer's `oms_*`. */
export const instanceDatabase = (database: string, instance?: string): string => (instance ? `${database}_${instance}` : database);

/** Every database of `app` in a copy: shard 0, then its other shards (if any). */
export const appDatabases = (state: Pick<SystemState, 'databases' | 'shards'>, app: string): string[] => [state.databases[app]!, ...(state.shards[app] ?? [])];

/** Where a copy keeps its Temporal history and system.json, and its logs. */
export function instanceDirs(instance?: string): { data: string; logs: string } {
  const sub = instance ? [instance] : [];
  return { data: path.join(workspaceRoot, '.data', ...sub), logs: path.join(workspaceRoot, '.logs', ...sub) };
}

const systemFile = (instance?: string) => path.join(instanceDirs(instance).data, 'system.json');

export function readSystemState(instance?: string): SystemState {
  return JSON.parse(readFileSync(systemFile(instance), 'utf8')) as SystemState;
}

/** Written whole and renamed into place, so a reader never sees half a file. */
export function writeSystemState(instance: string | undefined, state: SystemState): void {
  const file = systemFile(instance);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

/** Drops an instance's databases and deletes its data and logs (after a test or benchmark). */
export async function removeInstance(instance: string, postgresUrl = postgresServerUrl()): Promise<void> {
  checkInstanceName(instance);
  for (const database of services.flatMap((s) => [s.database, ...shardDatabases(s)])) {
    await dropDatabase(withDatabase(postgresUrl, instanceDatabase(database, instance)));
  }
  const { data, logs } = instanceDirs(instance);
  rmSync(data, { recursive: true, force: true });
  rmSync(logs, { recursive: true, force: true });
}

/**
 * Spawns `scripts/start.ts` (the real `npm start`) as a child with
 * OMS_INSTANCE=instance (+ OMS_POSTGRES_URL when given, + `env`, which the
 * launcher passes to every app, e.g. SHIPPING_CARRIER_CONFIRM_MS or
 * LOG_LEVEL); resolves once it printed "OMS is up"; rejects at once (with
 * the output) if the launcher exits first, or after timeoutMs (stopping it).
 */
export function launchSystem(options: { instance: string; postgresUrl?: string; env?: Record<string, string>; timeoutMs?: number }): Promise<RunningSystem> {
  const { instance, timeoutMs = 240_000 } = options;
  checkInstanceName(instance);
  const child = spawn(process.execPath, ['--import', 'tsx', path.join('scripts', 'start.ts')], {
    cwd: workspaceRoot,
    env: {
      ...process.env,
      ...options.env,
      OMS_INSTANCE: instance,
      ...(options.postgresUrl ? { OMS_POSTGRES_URL: options.postgresUrl } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = outputTail();
  child.stdout.on('data', output.append);
  child.stderr.on('data', output.append);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const system: RunningSystem = {
    state: () => readSystemState(instance),
    output: output.text,
    launcherPid: child.pid!,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void system.stop().then(() => reject(new Error(`the system (instance ${instance}) was not up within ${timeoutMs} ms; output:\n${output.text()}`)));
    }, timeoutMs);
    const whenUp = () => {
      if (!output.text().includes('OMS is up')) return;
      clearTimeout(timer);
      child.stdout.off('data', whenUp);
      resolve(system);
    };
    child.stdout.on('data', whenUp);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the launcher (instance ${instance}) exited (${code}) before the system was up; output:\n${output.text()}`));
    });
  });
}
