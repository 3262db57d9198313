import { spawn, spawnSync } from 'node:child_process';
import { openSync } from 'node:fs';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { findTemporalCli } from './temporal-cli';

/**
 * A Temporal dev server for one test file, from the CLI the set-up provides
 * (the SDK cannot download one here; there is no time-skipping server, so
 * tests pass short durations as workflow inputs instead).
 */
export async function startTemporalDevServer(): Promise<TestWorkflowEnvironment> {
  const path = findTemporalCli();
  if (!path) throw new Error('no Temporal CLI found: run `npm run setup` (it builds one into .tools/bin)');
  return TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path }, extraArgs: ['--log-level', 'error'] },
  });
}

export interface TemporalServer {
  address: string;
  uiUrl?: string;
  /** Stops the server if this process started it. */
  stop(): Promise<void>;
}

function healthy(cli: string, address: string): boolean {
  return spawnSync(cli, ['operator', 'cluster', 'health', '--address', address], { stdio: 'ignore', timeout: 5_000 }).status === 0;
}

/**
 * The Temporal dev server for `npm start`: the one already answering at
 * `address`, or a new one with its web UI and a file database in .data/
 * (workflows survive restarts), logging to `logFile`.
 */
export async function ensureTemporalServer(options: { cli: string; address: string; uiPort: number; dbFile: string; logFile: string }): Promise<TemporalServer> {
  const { cli, address } = options;
  if (healthy(cli, address)) return { address, stop: async () => undefined };
  const [ip, port] = address.split(':');
  const log = openSync(options.logFile, 'a');
  const child = spawn(
    cli,
    ['server', 'start-dev', '--ip', ip!, '--port', port!, '--ui-port', String(options.uiPort), '--db-filename', options.dbFile, '--log-level', 'warn'],
    { stdio: ['ignore', log, log] },
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
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
