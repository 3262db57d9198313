/**
 * `npm start`: set up what is missing, then run the Temporal dev server (or
 * use the one already running), every service and the orchestrator worker on
 * their default ports with logs in .logs/, print where everything is, and
 * stop them all cleanly on Ctrl-C or SIGTERM.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fail, generateCode, log } from './bootstrap';

async function main(): Promise<void> {
  await generateCode();
  const { prepare } = await import('./prepare');
  const { withDatabase } = await import('@oms/db');
  const { ensureTemporalServer, services, startAppProcess, workspaceRoot } = await import('@oms/testing');
  type AppProcess = Awaited<ReturnType<typeof startAppProcess>>;
  const { serverUrl, temporalCli } = await prepare();
  const logs = path.join(workspaceRoot, '.logs');
  mkdirSync(logs, { recursive: true });
  mkdirSync(path.join(workspaceRoot, '.data'), { recursive: true });
  const temporal = await ensureTemporalServer({
    cli: temporalCli,
    address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
    uiPort: 8233,
    dbFile: path.join(workspaceRoot, '.data', 'temporal.db'),
    logFile: path.join(logs, 'temporal.log'),
  });
  log(`Temporal at ${temporal.address}${temporal.uiUrl ? ` (started here, UI ${temporal.uiUrl})` : ' (already running)'}`);
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
  const started = await Promise.allSettled(
    services.map(async (s) => {
      const app = await startAppProcess(
        s.app,
        { DATABASE_URL: withDatabase(serverUrl, s.database) },
        { port: s.port, metricsPort: s.metricsPort, logFile: path.join(logs, `${s.app}.log`) },
      );
      running.push(app);
      app.child.once('exit', (code) => stopping || log(`${s.app} exited unexpectedly (${code}); see .logs/${s.app}.log`));
    }),
  );
  const worker = startAppProcess(
    'orchestrator',
    { TEMPORAL_ADDRESS: temporal.address },
    { metricsPort: 9464, readiness: 'healthz', logFile: path.join(logs, 'orchestrator.log') },
  ).then((app) => void running.push(app));
  const failed = [...started, ...(await Promise.allSettled([worker]))].find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(running.map((app) => app.stop('SIGTERM')));
    await temporal.stop();
    throw failed.reason;
  }
  log('OMS is up:');
  for (const s of services) {
    console.log(`  ${s.app.padEnd(18)} gRPC/Connect http://127.0.0.1:${s.port}   metrics http://127.0.0.1:${s.metricsPort}/metrics   log .logs/${s.app}.log`);
  }
  console.log(`  ${'orchestrator'.padEnd(18)} task queue orders              metrics http://127.0.0.1:9464/metrics   log .logs/orchestrator.log`);
  if (temporal.uiUrl) console.log(`  ${'temporal'.padEnd(18)} ${temporal.address}               UI ${temporal.uiUrl}         log .logs/temporal.log`);
  log('Ctrl-C stops everything.');
}

main().catch(fail);
