/**
 * `npm start`: set up what is missing, then run the Temporal dev server (or
 * use the one already answering), the four services, the orchestrator worker
 * and the gateway, with logs in .logs/; print where everything is once all are
 * ready; restart an app that exits unexpectedly, on the same ports with
 * exponential backoff (as Kubernetes would); stop them all cleanly on Ctrl-C
 * or SIGTERM.
 *
 * A copy beside the developer's: OMS_INSTANCE=<name> has its own databases,
 * Temporal dev server and history, logs, and free ports; OMS_PORT_OFFSET=<n>
 * alone shifts every default port and has databases of its own (instance
 * "<n>"). Where everything is: .data[/<instance>]/system.json, rewritten
 * whenever an app (re)starts.
 *
 * `npm start -- --observe` also runs Jaeger (built once from Go modules) and
 * points every app's traces at it.
 */
import { mkdirSync } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import type { StartOptions, Supervised, TemporalServer, TraceViewer } from '@oms/devstack';
import { fail, generateCode, log } from './bootstrap';

const offset = Number(process.env.OMS_PORT_OFFSET ?? 0);
const named = process.env.OMS_INSTANCE || undefined;
const instance = named ?? (offset ? String(offset) : undefined);
const observe = process.argv.includes('--observe');

// Aborted by Ctrl-C or SIGTERM, at any point: starts in flight are called off.
// A second one kills everything at once (the apps, in process groups of
// their own, would outlive the launcher otherwise).
const shutdown = new AbortController();
let killAll = () => {};
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (!shutdown.signal.aborted) return shutdown.abort();
    log(`${signal} again: killing everything`);
    killAll();
    process.exit(1);
  });
}

async function main(): Promise<void> {
  await generateCode();
  const { freePort } = await import('@oms/platform');
  const devstack = await import('@oms/devstack');
  const {
    appDatabases,
    ensureTemporalServer,
    instanceDirs,
    prepare,
    removeTemporalHistory,
    services,
    startAppProcess,
    shardUrlsEnv,
    startTraceViewer,
    supervise,
    workspaceRoot,
    writeSystemState,
  } = devstack;
  if (named) devstack.checkInstanceName(named);
  if (instance) log(`instance ${instance}: its own databases, Temporal history and logs${named ? ', free ports' : ''}`);

  const prepared = await prepare(log, instance);
  const dirs = instanceDirs(instance);
  mkdirSync(dirs.logs, { recursive: true });
  mkdirSync(dirs.data, { recursive: true });
  const taken = new Set<number>();
  /** The default port shifted by the offset; a named instance takes free ones instead, no two alike. */
  const portFor = async (base: number): Promise<number> => {
    if (!named) return base + offset;
    for (;;) {
      const port = await freePort();
      if (taken.has(port)) continue;
      taken.add(port);
      return port;
    }
  };
  const local = (port: number) => `http://127.0.0.1:${port}`;

  const running: Supervised[] = [];
  let temporal: TemporalServer | undefined;
  let traceViewer: TraceViewer | undefined;
  let up = false;
  let failure: unknown;
  const writeState = () => {
    if (!up) return; // once everything has started; restarts before then are in the first write
    writeSystemState(instance, {
      gatewayUrl: running.find((s) => s.app === 'gateway')!.current.url,
      temporalAddress: temporal!.address,
      temporalPid: temporal!.pid,
      temporalUiUrl: temporal!.uiUrl,
      databases: prepared.databases,
      shards: prepared.shards,
      apps: Object.fromEntries(
        running.map(({ app, current, restarts }) => [
          app,
          { pid: current.child.pid!, url: app === 'orchestrator' ? undefined : current.url, metricsUrl: current.metricsUrl, restarts },
        ]),
      ),
      launcherPid: process.pid,
      logDir: dirs.logs,
    });
  };
  killAll = () => {
    for (const { current } of running) current.child.kill('SIGKILL');
    if (temporal?.pid) process.kill(temporal.pid, 'SIGKILL');
    if (traceViewer) process.kill(traceViewer.pid, 'SIGKILL');
  };
  const stopAll = async () => {
    const codes = await Promise.all(running.map((s) => s.stop()));
    await temporal?.stop();
    await traceViewer?.stop();
    return codes;
  };

  try {
    shutdown.signal.throwIfAborted();
    const temporalDb = path.join(dirs.data, 'temporal.db');
    // Its workflows are about orders that no longer exist, and new orders would reuse their ids.
    if (prepared.created.includes('order-service') && removeTemporalHistory(temporalDb))
      log('a new order database: starting Temporal with a fresh history too');
    const temporalPort = await portFor(7233);
    temporal = await ensureTemporalServer({
      cli: prepared.temporalCli,
      // A named instance always runs its own server: its history is part of it.
      address: (!named && process.env.TEMPORAL_ADDRESS) || `127.0.0.1:${temporalPort}`,
      uiPort: named ? await portFor(8233) : temporalPort + 1000,
      dbFile: temporalDb,
      logFile: path.join(dirs.logs, 'temporal.log'),
    });
    log(`Temporal at ${temporal.address}${temporal.uiUrl ? ` (started here)` : ' (already running)'}`);
    shutdown.signal.throwIfAborted();

    if (observe) {
      traceViewer = await startTraceViewer({ log, logFile: path.join(dirs.logs, 'jaeger.log') });
      log(`Jaeger at ${traceViewer.uiUrl}: every app sends its traces there`);
    }
    // Tracing is off unless an endpoint is set (libs/platform/src/telemetry.ts).
    const traces: Record<string, string> = traceViewer ? { OTEL_EXPORTER_OTLP_ENDPOINT: traceViewer.otlpEndpoint } : {};
    const servicePorts = await Promise.all(services.map(async (s) => ({ port: await portFor(s.port), metricsPort: await portFor(s.metricsPort) })));
    const serviceUrls = Object.fromEntries(services.map((s, i) => [`${s.app.split('-')[0]!.toUpperCase()}_SERVICE_URL`, local(servicePorts[i]!.port)]));
    const gatewayPort = await portFor(8080);
    const apps: { app: string; env: Record<string, string>; options: StartOptions }[] = [
      ...services.map((s, i) => ({
        app: s.app,
        env: { ...traces, ...serviceUrls, DATABASE_URL: prepared.databases[s.app]!, ...shardUrlsEnv(s.app, prepared.shards[s.app] ?? []) },
        options: servicePorts[i]!,
      })),
      {
        app: 'orchestrator',
        env: { ...traces, ...serviceUrls, TEMPORAL_ADDRESS: temporal.address },
        options: { metricsPort: await portFor(9464), readiness: 'healthz' },
      },
      // The gateway serves /metrics and /healthz on its own port.
      {
        app: 'gateway',
        env: { ...traces, ...serviceUrls, TEMPORAL_ADDRESS: temporal.address },
        options: { port: gatewayPort, metricsPort: gatewayPort, readiness: 'healthz' },
      },
    ];
    const startApp = ({ app, env, options }: (typeof apps)[number]) =>
      startAppProcess(app, env, { ...options, logFile: path.join(dirs.logs, `${app}.log`), signal: shutdown.signal, ownProcessGroup: true });
    const started = await Promise.allSettled(
      apps.map((spec) =>
        supervise(spec.app, () => startApp(spec), { shutdown: shutdown.signal, log, restarted: writeState }).catch((error: unknown) => {
          // One app failing to start fails the launch: the others need not finish starting.
          if (!shutdown.signal.aborted) failure = new Error(`${spec.app}: ${error instanceof Error ? error.message : String(error)}`);
          shutdown.abort();
          throw error;
        }),
      ),
    );
    for (const result of started) if (result.status === 'fulfilled') running.push(result.value);
  } catch (error) {
    if (!shutdown.signal.aborted) failure = error;
  }
  if (failure) {
    await stopAll();
    throw failure;
  }

  if (!shutdown.signal.aborted) {
    up = true;
    writeState();
    log('everything is ready:');
    const row = (name: string, where: string, metrics: string) => console.log(`  ${name.padEnd(18)} ${where.padEnd(34)} ${metrics}`.trimEnd());
    const gateway = running.find((s) => s.app === 'gateway')!.current.url;
    row('API (gateway)', gateway, `docs ${gateway}/docs   metrics ${gateway}/metrics`);
    if (temporal!.uiUrl) row('Temporal UI', temporal!.uiUrl, `server ${temporal!.address}`);
    if (traceViewer) row('Jaeger (traces)', traceViewer.uiUrl, `OTLP ${traceViewer.otlpEndpoint}`);
    for (const { app, current } of running) {
      if (app === 'gateway') continue;
      row(app, app === 'orchestrator' ? 'task queue orders' : `gRPC/Connect ${current.url}`, `metrics ${current.metricsUrl}`);
      if (!prepared.shards[app]) continue;
      const shards = appDatabases(prepared, app).map((url) => new URL(url).pathname.slice(1));
      row('', `${shards.length} shards: ${shards.join(', ')}`, '');
    }
    const demoEnv = named ? `OMS_INSTANCE=${named} ` : offset ? `OMS_PORT_OFFSET=${offset} ` : '';
    log(`logs: ${path.relative(workspaceRoot, dirs.logs)}/<app>.log; state: ${path.relative(workspaceRoot, dirs.data)}/system.json`);
    // Last, as the word that the launch is done (launchSystem waits for it): everything above is out by then.
    log(`OMS is up. Try \`${demoEnv}npm run demo\`. Ctrl-C stops everything.`);
    await once(shutdown.signal, 'abort');
  }
  log('stopping...');
  const codes = await stopAll();
  log(`stopped (exit codes ${codes.join(', ')})`);
  process.exit(codes.every((c) => c === 0) ? 0 : 1);
}

main().catch(fail);
