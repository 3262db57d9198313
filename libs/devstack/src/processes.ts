/**
 * Apps as real processes (as in production: nothing imported, signals
 * delivered), for the launcher and for interop, shutdown and end-to-end tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { Health, HealthCheckResponse_ServingStatus } from '@oms/contracts/health/v1';
import { freePort, serviceClient } from '@oms/platform';
import { appDir } from './workspace';

export interface AppProcess {
  url: string;
  port: number;
  metricsUrl: string;
  child: ChildProcess;
  /** The last 64 KiB the app printed, for assertions and failure messages (the log file has it all). */
  output(): string;
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

// Not answering yet (or slowly, on a loaded machine) is "not ready yet";
// only the process exiting or the overall time limit make the start fail.
function grpcServing(url: string): () => Promise<boolean> {
  const health = serviceClient(Health, url, 2_000);
  return () =>
    health.check({}).then(
      (r) => r.status === HealthCheckResponse_ServingStatus.SERVING,
      () => false,
    );
}

const healthzAnswers = (metricsPort: number) => () =>
  fetch(`http://127.0.0.1:${metricsPort}/healthz`).then(
    (r) => r.ok,
    () => false,
  );

/**
 * The end of a process's output: enough for a failure message, bounded so a
 * chatty process that runs for days does not grow its parent's memory.
 */
export function outputTail(limit = 64 * 1024): { append(chunk: Buffer | string): void; text(): string } {
  let kept = '';
  return {
    // Trimmed only when twice the limit, so appending stays cheap.
    append: (chunk) => {
      kept += chunk;
      if (kept.length > 2 * limit) kept = kept.slice(-limit);
    },
    text: () => kept.slice(-limit),
  };
}

async function waitUntilReady(ready: () => Promise<boolean>, child: ChildProcess, output: () => string, options: StartOptions): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the app exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output()}`);
    }
    if (options.signal?.aborted) throw new Error('the start was called off');
    if (await ready()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the app was not ready within ${timeoutMs} ms:\n${output()}`);
}

export interface StartOptions {
  /**
   * How to tell the app is ready: its gRPC health check says SERVING (RPC
   * services), or its metrics server answers /healthz (the Temporal worker).
   */
  readiness?: 'grpc-health' | 'healthz';
  /** Fixed ports; free ones when left out. */
  port?: number;
  metricsPort?: number;
  /** Where /healthz answers, for readiness 'healthz' (default: the metrics port). */
  healthzPort?: number;
  /** Also append the app's output to this file. */
  logFile?: string;
  timeoutMs?: number;
  /** Calls the start off: the app is killed and the start fails. */
  signal?: AbortSignal;
  /**
   * Its own process group, for a supervisor: a terminal's Ctrl-C then
   * reaches only the supervisor, which stops each app with one SIGTERM
   * (a second signal makes an app exit 1 at once).
   */
  ownProcessGroup?: boolean;
}

/** Starts apps/<app>/src/main.ts under tsx and waits until it is ready. */
export async function startAppProcess(app: string, env: Record<string, string>, options: StartOptions = {}): Promise<AppProcess> {
  const port = options.port ?? (await freePort());
  const metricsPort = options.metricsPort ?? (await freePort());
  const child = spawn(process.execPath, ['--import', 'tsx', path.join('src', 'main.ts')], {
    cwd: appDir(app),
    // Below the caller's environment, so a LOG_LEVEL given to a launcher reaches its apps.
    env: { LOG_LEVEL: 'info', ...process.env, ...env, PORT: String(port), METRICS_PORT: String(metricsPort) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.ownProcessGroup,
  });
  const log = options.logFile ? createWriteStream(options.logFile, { flags: 'a' }) : undefined;
  const printed = outputTail();
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.on('data', printed.append);
    if (log) stream.pipe(log, { end: false });
  }
  // Ended once both streams are done (each ending it would lose the other's last lines).
  if (log) child.once('close', () => log.end());
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  try {
    const ready = options.readiness === 'healthz' ? healthzAnswers(options.healthzPort ?? metricsPort) : grpcServing(url);
    await waitUntilReady(ready, child, printed.text, options);
  } catch (error) {
    child.kill('SIGKILL');
    await exited; // so that nothing of it is left when the start fails
    throw error;
  }
  return {
    url,
    port,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    child,
    output: printed.text,
    stop: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
