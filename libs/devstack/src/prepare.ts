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
import { appDir, services, shardDatabases } from './workspace';

/**
 * Brings a copy's database (the developer's `oms_*`, or an instance's own)
 * up to date: created as a copy of the service's template when new
 * (milliseconds instead of a Prisma run), migrated when behind. Returns
 * whether it was created.
 */
async function prepareDatabase(log: (line: string) => void, serverUrl: string, app: string, template: string, database: string): Promise<boolean> {
  const exists = await withClient(serverUrl, async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])).rowCount);
  if (!exists) {
    await copyTemplate(template, database);
    log(`${app}: ${database} created`);
    return true;
  }
  const applied = await migrate(appDir(app), withDatabase(serverUrl, database));
  log(`${app}: ${database} ${applied.length ? `migrated (${applied.join(', ')})` : 'up to date'}`);
  return false;
}

/**
 * Migrates the service's template database (tests clone it) and generates
 * its query types from it, then prepares each of its databases (shard 0 and
 * any more shards). Returns their names, and whether shard 0 was created.
 */
async function prepareService(
  log: (line: string) => void,
  serverUrl: string,
  service: (typeof services)[number],
  instance: string | undefined,
): Promise<{ names: string[]; created: boolean }> {
  await prepareTemplate(appDir(service.app), service.database);
  if (await generateSqlTypes(appDir(service.app), service.database)) log(`${service.app}: query types generated from src/sql`);
  const names = [service.database, ...shardDatabases(service)].map((d) => instanceDatabase(d, instance));
  const created = await Promise.all(names.map((name) => prepareDatabase(log, serverUrl, service.app, service.database, name)));
  return { names, created: created[0]! };
}

export interface Prepared {
  serverUrl: string;
  temporalCli: string;
  /** Each service's database URL (shard 0 of a sharded one), by app. */
  databases: Record<string, string>;
  /** The URLs of a sharded service's shards 1..n-1, by app (order-service). */
  shards: Record<string, string[]>;
  /**
   * The apps whose database (shard 0) was created just now. A shard after it
   * that is new (as when shards were first added) leaves existing data alone.
   */
  created: string[];
}

/** Prepares the default copy's databases, or those of `instance` (see system.ts), reporting each step to `log`. */
export async function prepare(log: (line: string) => void, instance?: string): Promise<Prepared> {
  const serverUrl = await ensurePostgres(log);
  const temporalCli = await ensureTemporalCli(log);
  log('preparing databases...');
  const prepared = await Promise.all(services.map((s) => prepareService(log, serverUrl, s, instance)));
  log('set-up done');
  const urls = prepared.map(({ names }) => names.map((name) => withDatabase(serverUrl, name)));
  return {
    serverUrl,
    temporalCli,
    databases: Object.fromEntries(services.map((s, i) => [s.app, urls[i]![0]!])),
    shards: Object.fromEntries(services.flatMap((s, i) => (urls[i]!.length > 1 ? [[s.app, urls[i]!.slice(1)]] : []))),
    created: services.filter((_, i) => prepared[i]!.created).map((s) => s.app),
  };
}
