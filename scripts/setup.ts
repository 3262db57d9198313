/**
 * `npm run setup`: everything a fresh clone needs before it can start or
 * test, each step skipped when already done (a second run takes seconds):
 * generated code, a Postgres, the Temporal CLI, the databases and migrations.
 */
import { spawn } from 'node:child_process';
import { migrate, withClient, withDatabase } from '@oms/db';
import { isEntryPoint } from '@oms/platform';
import { appDir, copyTemplate, ensurePostgres, ensureTemporalCli, prepareTemplate, services, workspaceRoot } from '@oms/testing';

const started = Date.now();
export const log = (line: string) => console.log(`[oms ${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}`);

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
  await prepareTemplate(dir, database);
  const exists = await withClient(serverUrl, async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])).rowCount);
  if (!exists) {
    await copyTemplate(database, database);
    log(`${app}: ${database} created`);
    return;
  }
  const applied = await migrate(dir, withDatabase(serverUrl, database));
  log(`${app}: ${database} ${applied.length ? `migrated (${applied.join(', ')})` : 'up to date'}`);
}

/** Everything `npm start` and `npm test` need; returns the Postgres server URL. */
export async function setup(): Promise<string> {
  log('generating code (protobuf contracts, Prisma clients)...');
  await run('npx', ['nx', 'run-many', '-t', 'generate', '--outputStyle=static']);
  const serverUrl = await ensurePostgres(log);
  await ensureTemporalCli(log);
  log('preparing databases...');
  await Promise.all(services.map((s) => prepareDatabases(serverUrl, s.app, s.database)));
  log('set-up done');
  return serverUrl;
}

export function fail(error: unknown): never {
  console.error(`[oms] failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

if (isEntryPoint(import.meta.url)) setup().catch(fail);
