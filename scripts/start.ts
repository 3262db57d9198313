/**
 * `npm start`: set up what is missing, then run the Temporal dev server (or
 * use the one already answering), the four services, the orchestrator worker
 * and the gateway, with logs in .logs/; print where everything is once all are
 * ready; stop them all cleanly on Ctrl-C or SIGTERM.
 * OMS_PORT_OFFSET shifts every default port (to run a second copy beside one).
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fail, generateCode, log } from './bootstrap';

const offset = Number(process.env.OMS_PORT_OFFSET ?? 0);
const port = (base: number) => base + offset;
const local = (base: number) => `http://127.0.0.1:${port(base)}`;

async function main(): Promise<void> {
  await generateCode();
  const { prepare } = await import('./prepare');
  const { withDatabase } = await import('@oms/db');
  const { ensureTemporalServer, services, startAppProcess, workspaceRoot } = await import('@oms/testing');
  type AppProcess = Awaited<ReturnType<typeof startAppProcess>>;
  const { serverUrl, temporalCli, created } = await prepare();
  const logs = path.join(workspaceRoot, '.logs');
  mkdirSync(logs, { recursive: true });
  mkdirSync(path.join(workspaceRoot, '.data'), { recursive: true });
  const temporalDb = path.join(workspaceRoot, '.data', `temporal${offset ? `-${offset}` : ''}.db`);
  if (created.includes('oms_order') && existsSync(temporalDb)) {
    // Its workflows are about orders that no longer exist, and new orders would reuse their ids.
    log('a new order database: starting Temporal with a fresh history too');
    rmSync(temporalDb);
  }
  const temporal = await ensureTemporalServer({
    cli: temporalCli,
    address: process.env.TEMPORAL_ADDRESS ?? `127.0.0.1:${port(7233)}`,
    uiPort: port(8233),
    dbFile: temporalDb,
    logFile: path.join(logs, 'temporal.log'),
  });
  log(`Temporal at ${temporal.address}${temporal.uiUrl ? ` (started here)` : ' (already running)'}`);

  const running: AppProcess[] = [];
  let stopping = false;
  const stopAll = async () => {
    stopping = true;
    log('stopping...');
    const codes = await Promise.all(running.map((app) => app.stop('SIGTERM')));
    await temporal.stop();
    log(`stopped (exit codes ${codes.join(', ')})`);
    process.exit(codes.every((c) => c === 0) ? 0 : 1);
  };
  process.once('SIGINT', stopAll);
  process.once('SIGTERM', stopAll);

  const serviceUrls = Object.fromEntries(services.map((s) => [`${s.app.split('-')[0]!.toUpperCase()}_SERVICE_URL`, local(s.port)]));
  const launch = async (app: string, env: Record<string, string>, options: Parameters<typeof startAppProcess>[2]) => {
    const proc = await startAppProcess(app, env, { ...options, logFile: path.join(logs, `${app}.log`) });
    running.push(proc);
    proc.child.once('exit', (code) => stopping || log(`${app} exited unexpectedly (${code}); see .logs/${app}.log`));
  };
  const started = await Promise.allSettled([
    ...services.map((s) =>
      launch(s.app, { ...serviceUrls, DATABASE_URL: withDatabase(serverUrl, s.database) }, { port: port(s.port), metricsPort: port(s.metricsPort) }),
    ),
    launch('orchestrator', { ...serviceUrls, TEMPORAL_ADDRESS: temporal.address }, { metricsPort: port(9464), readiness: 'healthz' }),
    launch('gateway', { ...serviceUrls, TEMPORAL_ADDRESS: temporal.address }, { port: port(8080), readiness: 'healthz', healthzPort: port(8080) }),
  ]);
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    stopping = true;
    await Promise.all(running.map((app) => app.stop('SIGTERM')));
    await temporal.stop();
    throw failed.reason;
  }

  log('OMS is up:');
  const row = (name: string, where: string, metrics: string) => console.log(`  ${name.padEnd(18)} ${where.padEnd(34)} ${metrics}`);
  row('API (gateway)', local(8080), `docs ${local(8080)}/docs   metrics ${local(8080)}/metrics`);
  if (temporal.uiUrl) row('Temporal UI', temporal.uiUrl, `server ${temporal.address}`);
  for (const s of services) row(s.app, `gRPC/Connect ${local(s.port)}`, `metrics ${local(s.metricsPort)}/metrics`);
  row('orchestrator', `task queue orders`, `metrics ${local(9464)}/metrics`);
  log('logs: .logs/<app>.log. Try `npm run demo`. Ctrl-C stops everything.');
}

main().catch(fail);
