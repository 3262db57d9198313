/**
 * Keeps an app of `npm start` running: restarts it when it exits
 * unexpectedly, on the same ports, with exponential backoff (as Kubernetes
 * would), until it is stopped or the launch is shut down.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { AppProcess } from './processes';

// Kubernetes' CrashLoopBackOff, quicker: 0.5 s doubling up to 10 s, and
// from 0.5 s again once the app has stayed up for a minute.
const backoff = { firstMs: 500, maxMs: 10_000, resetAfterMs: 60_000 };

export interface Supervised {
  app: string;
  current: AppProcess;
  /** Starts after an unexpected exit, successful or not. */
  restarts: number;
  /** After shutdown: lets a restart in flight give up, stops the app, resolves with its exit code. */
  stop(): Promise<number | null>;
}

export interface SuperviseOptions {
  /** The launch's shutdown: no restarts once aborted, and a backoff in progress ends. */
  shutdown: AbortSignal;
  log: (line: string) => void;
  /** Called each time the app is back after a restart. */
  restarted: () => void;
}

const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0];

/** Starts the app and keeps it running until shutdown. */
export async function supervise(app: string, start: () => Promise<AppProcess>, options: SuperviseOptions): Promise<Supervised> {
  const { shutdown, log, restarted } = options;
  let restarting: Promise<void> | undefined;
  let stopped = false;
  let delay = backoff.firstMs;
  let upSince = Date.now();
  const supervised: Supervised = {
    app,
    current: await start(),
    restarts: 0,
    stop: async () => {
      stopped = true; // its exit is expected from now on
      await restarting;
      return supervised.current.stop('SIGTERM');
    },
  };
  const restart = async (reason: string) => {
    if (Date.now() - upSince >= backoff.resetAfterMs) delay = backoff.firstMs;
    while (!stopped && !shutdown.aborted) {
      log(`${app} ${reason}; restarting in ${delay} ms`);
      await sleep(delay, undefined, { signal: shutdown }).catch(() => undefined);
      if (stopped || shutdown.aborted) return;
      delay = Math.min(2 * delay, backoff.maxMs);
      supervised.restarts += 1;
      try {
        supervised.current = await start();
      } catch (error) {
        reason = `did not come back (${firstLine(error)})`;
        continue;
      }
      upSince = Date.now();
      log(`${app} is back (restart #${supervised.restarts})`);
      watch(supervised.current);
      restarted();
      return;
    }
  };
  const watch = (proc: AppProcess) =>
    proc.child.once('exit', (code, signal) => {
      if (!stopped && !shutdown.aborted) restarting = restart(`exited unexpectedly (${code !== null ? `code ${code}` : signal})`);
    });
  watch(supervised.current);
  return supervised;
}
