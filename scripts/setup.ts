/**
 * `npm run setup`: everything a fresh clone needs before it can start or
 * test, each step skipped when already done (a second run takes seconds):
 * generated code, a Postgres, the Temporal CLI, the databases and migrations.
 */
import { spawn } from 'node:child_process';
import { migrate, migrationState, withClient, withDatabase } from '@oms/db';
import { appDir, ensurePostgres, ensureTemporalCli, services, workspaceRoot } from '@oms/testing';

const started = Date.now();
const log = (line: string) => console.log(`[setup ${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}`);

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: workspaceRoot, stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited ${code}`))));
  });
}

/**
 * Migrates the service's template database (tests clone it), then brings the
 * development database up to date: created as a copy of the template when
 * new (milliseconds instead of a Prisma run), migrated when behind.
 */
async function prepareDatabases(serverUrl: string, app: string, database: string): Promise<void> {
  const dir = appDir(app);
  const template = withDatabase(serverUrl, `${database}_template`);
  const applied = await migrate(dir, template);
  log(`${app}: ${database}_template ${applied.length ? `migrated (${applied.join(', ')})` : 'up to date'}`);
  const dev = withDatabase(serverUrl, database);
  const exists = await withClient(serverUrl, async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])).rowCount);
  if (!exists) {
    await withClient(serverUrl, (c) => c.query(`CREATE DATABASE "${database}" TEMPLATE "${database}_template"`));
    log(`${app}: ${database} created`);
  } else if ((await migrationState(dev, `${dir}/prisma`)).pending.length > 0) {
    log(`${app}: ${database} migrated (${(await migrate(dir, dev)).join(', ')})`);
  } else {
    log(`${app}: ${database} up to date`);
  }
}

async function main(): Promise<void> {
  log('generating code (protobuf contracts, Prisma clients)...');
  await run('npx', ['nx', 'run-many', '-t', 'generate', '--outputStyle=static']);
  const serverUrl = await ensurePostgres(log);
  await ensureTemporalCli(log);
  log('preparing databases...');
  await Promise.all(services.map((s) => prepareDatabases(serverUrl, s.app, s.database)));
  log('ready');
}

main().catch((error: unknown) => {
  console.error(`[setup] failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
