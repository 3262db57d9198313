/**
 * Everything `npm start` and `npm test` need once the code is generated, each
 * step skipped when already done: a Postgres, the Temporal CLI, the databases.
 */
import { withClient, withDatabase } from '@oms/db';
import { migrate } from '@oms/db/migrations';
import { ensurePostgres } from './postgres';
import { generateSqlTypes } from './sql-types';
import { instanceDatabase } from './system';
import { ensureTemporalCli } from './temporal-cli';
import { copyTemplate, prepareTemplate } from './templates';
import { appDir, services } from './workspace';

/**
 * Migrates the service's template database (tests clone it) and generates
 * its query types from it, then brings the copy's database (the developer's
 * `oms_*`, or an instance's own) up to date: created as a copy of the
 * template when new (milliseconds instead of a Prisma run), migrated when
 * behind. Returns whether it was created.
 */
async function prepareDatabase(log: (line: string) => void, serverUrl: string, app: string, template: string, database: string): Promise<boolean> {
  const dir = appDir(app);
  await prepareTemplate(dir, template);
  if (await generateSqlTypes(dir, template)) log(`${app}: query types generated from src/sql`);
  const exists = await withClient(serverUrl, async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])).rowCount);
  if (!exists) {
    await copyTemplate(template, database);
    log(`${app}: ${database} created`);
    return true;
  }
  const applied = await migrate(dir, withDatabase(serverUrl, database));
  log(`${app}: ${database} ${applied.length ? `migrated (${applied.join(', ')})` : 'up to date'}`);
  return false;
}

export interface Prepared {
  serverUrl: string;
  temporalCli: string;
  /** Each service's database URL, by app. */
  databases: Record<string, string>;
  /** The apps whose database was created just now. */
  created: string[];
}

/** Prepares the default copy's databases, or those of `instance` (see system.ts), reporting each step to `log`. */
export async function prepare(log: (line: string) => void, instance?: string): Promise<Prepared> {
  const serverUrl = await ensurePostgres(log);
  const temporalCli = await ensureTemporalCli(log);
  log('preparing databases...');
  const names = services.map((s) => instanceDatabase(s.database, instance));
  const fresh = await Promise.all(services.map((s, i) => prepareDatabase(log, serverUrl, s.app, s.database, names[i]!)));
  log('set-up done');
  return {
    serverUrl,
    temporalCli,
    databases: Object.fromEntries(services.map((s, i) => [s.app, withDatabase(serverUrl, names[i]!)])),
    created: services.filter((_, i) => fresh[i]).map((s) => s.app),
  };
}
