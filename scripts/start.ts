/**
 * `npm start`: set up what is missing, then run every service on its
 * default port with its logs in .logs/<app>.log, print where everything is,
 * and stop them all cleanly on Ctrl-C or SIGTERM.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fail, generateCode, log } from './bootstrap';

async function main(): Promise<void> {
  await generateCode();
  const { prepare } = await import('./prepare');
  const { withDatabase } = await import('@oms/db');
  const { services, startAppProcess, workspaceRoot } = await import('@oms/testing');
  type AppProcess = Awaited<ReturnType<typeof startAppProcess>>;
  const { serverUrl } = await prepare();
  const logs = path.join(workspaceRoot, '.logs');
  mkdirSync(logs, { recursive: true });
  const running: AppProcess[] = [];
  const stopAll = async () => {
    log('stopping...');
    const codes = await Promise.all(running.map((app) => app.stop('SIGTERM')));
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
      app.child.once('exit', (code) => log(`${s.app} exited (${code}); see .logs/${s.app}.log`));
    }),
  );
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(running.map((app) => app.stop('SIGTERM')));
    throw failed.reason;
  }
  log('OMS is up:');
  for (const s of services) {
    console.log(`  ${s.app.padEnd(18)} gRPC/Connect http://127.0.0.1:${s.port}   metrics http://127.0.0.1:${s.metricsPort}/metrics   log .logs/${s.app}.log`);
  }
  log('Ctrl-C stops everything.');
}

main().catch(fail);
