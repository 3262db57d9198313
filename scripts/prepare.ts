/**
 * Everything `npm start` and `npm test` need once the code is generated, each
 * step skipped when already done: a Postgres, the Temporal CLI, the databases.
 */
import { migrate, withClient, withDatabase } from '@oms/db';
import { appDir, copyTemplate, ensurePostgres, ensureTemporalCli, generateSqlTypes, prepareTemplate, services } from '@oms/testing';
import { log } from './bootstrap';

/**
 * Migrates the service's template database (tests clone it) and generates
 * its query types from it, then brings the
 * development database up to date: created as a copy of the template when
 * new (milliseconds instead of a Prisma run), migrated when behind.
 */
async function prepareDatabases(serverUrl: string, app: string, database: string): Promise<boolean> {
  const dir = appDir(app);
  await prepareTemplate(dir, database);
  if (await generateSqlTypes(dir, database)) log(`${app}: query types generated from src/sql`);
  const exists = await withClient(serverUrl, async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])).rowCount);
  if (!exists) {
    await copyTemplate(database, database);
    log(`${app}: ${database} created`);
    return true;
  }
  const applied = await migrate(dir, withDatabase(serverUrl, database));
  log(`${app}: ${database} ${applied.length ? `migrated (${applied.join(', ')})` : 'up to date'}`);
  return false;
}

/** Returns the Postgres server URL, the Temporal CLI's path and the databases it created. */
export async function prepare(): Promise<{ serverUrl: string; temporalCli: string; created: string[] }> {
  const serverUrl = await ensurePostgres(log);
  const temporalCli = await ensureTemporalCli(log);
  log('preparing databases...');
  const fresh = await Promise.all(services.map((s) => prepareDatabases(serverUrl, s.app, s.database)));
  log('set-up done');
  return { serverUrl, temporalCli, created: services.filter((_, i) => fresh[i]).map((s) => s.database) };
}
