import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { supervise, type AppProcess } from '../src';

/** A stand-in for an app process: `crash()` makes it exit as a crashed app would. */
function fakeApp(): AppProcess & { crash(): void } {
  const child = new EventEmitter();
  let exitCode: number | null = null;
  return {
    url: 'http://127.0.0.1:1',
    port: 1,
    metricsUrl: 'http://127.0.0.1:2/metrics',
    child: child as AppProcess['child'],
    output: () => '',
    crash: () => child.emit('exit', 1, null),
    stop: async () => {
      exitCode ??= 0;
      return exitCode;
    },
  };
}

describe('supervise', () => {
  it('starts an app again after it exits unexpectedly, and stops it on request', async () => {
    const shutdown = new AbortController();
    const started: ReturnType<typeof fakeApp>[] = [];
    const lines: string[] = [];
    let back!: () => void;
    const restarted = new Promise<void>((resolve) => (back = resolve));
    const supervised = await supervise(
      'payment-service',
      async () => {
        started.push(fakeApp());
        return started.at(-1)!;
      },
      { shutdown: shutdown.signal, log: (line) => lines.push(line), restarted: () => back() },
    );
    started[0]!.crash();
    await restarted;
    expect(started).toHaveLength(2);
    expect(supervised.current).toBe(started[1]);
    expect(supervised.restarts).toBe(1);
    expect(lines).toEqual(['payment-service exited unexpectedly (code 1); restarting in 500 ms', 'payment-service is back (restart #1)']);
    shutdown.abort();
    expect(await supervised.stop()).toBe(0);
  });

  it('does not restart an app once the launch is shutting down', async () => {
    const shutdown = new AbortController();
    const app = fakeApp();
    let starts = 0;
    const supervised = await supervise('gateway', async () => (starts++, app), { shutdown: shutdown.signal, log: () => {}, restarted: () => {} });
    shutdown.abort();
    app.crash();
    expect(await supervised.stop()).toBe(0);
    expect(starts).toBe(1);
  });
});
