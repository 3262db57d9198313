/** The Temporal dev server that `npm start` runs (or finds already running). */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, openSync, rmSync } from 'node:fs';

// The dev server polls its transfer queue ~20 times a second, so every task
// waited ~45 ms before a worker got it; polling faster took one order from
// 1.1 s to 0.28 s end to end (docs: ENVIRONMENT.md).
// Eager activities: the server hands a scheduled activity back to the worker
// that completed the workflow task, skipping the task queue (~20% less
// server CPU per activity, measured on the floor workflow).
export const fastTaskDispatch = [
  '--dynamic-config-value',
  'history.transferProcessorMaxPollRPS=1000',
  '--dynamic-config-value',
  'system.enableActivityEagerExecution=true',
];
// A history file at nearly in-memory speed (4.1 -> 7.7 workflows/s measured).
const fastSqlite = ['--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal'];

export interface TemporalServer {
  address: string;
  uiUrl?: string;
  /** When this process started it. */
  pid?: number;
  /** Stops the server if this process started it. */
  stop(): Promise<void>;
}

function healthy(cli: string, address: string): boolean {
  return spawnSync(cli, ['operator', 'cluster', 'health', '--address', address], { stdio: 'ignore', timeout: 5_000 }).status === 0;
}

/**
 * The Temporal dev server for `npm start`: the one already answering at
 * `address`, or a new one with its web UI and a history file (workflows
 * survive restarts; its -wal and -shm files belong to it), logging to `logFile`.
 */
export async function ensureTemporalServer(options: {
  cli: string;
  address: string;
  uiPort: number;
  dbFile: string;
  logFile: string;
}): Promise<TemporalServer> {
  const { cli, address } = options;
  if (healthy(cli, address)) return { address, stop: async () => undefined };
  const [ip, port] = address.split(':');
  const log = openSync(options.logFile, 'a');
  const child = spawn(
    cli,
    [
      'server',
      'start-dev',
      '--ip',
      ip!,
      '--port',
      port!,
      '--ui-port',
      String(options.uiPort),
      '--db-filename',
      options.dbFile,
      ...fastSqlite,
      ...fastTaskDispatch,
      '--log-level',
      'warn',
    ],
    // Its own process group: Ctrl-C reaches only the launcher, which stops Temporal after the worker.
    { stdio: ['ignore', log, log], detached: true },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let waited = 0; !healthy(cli, address); waited += 250) {
    if (child.exitCode !== null || waited > 30_000) {
      child.kill('SIGKILL');
      throw new Error(`the Temporal dev server did not start; see ${options.logFile}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    address,
    uiUrl: `http://${ip}:${options.uiPort}`,
    pid: child.pid,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Deletes a dev server's history file with its WAL files; returns whether there was one. */
export function removeTemporalHistory(dbFile: string): boolean {
  const existed = existsSync(dbFile);
  for (const file of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) rmSync(file, { force: true });
  return existed;
}
