/**
 * Template databases. The set-up (and each test project's globalSetup) brings
 * `<database>_template` up to date once; the developer's and an instance's
 * databases, and every test's throwaway database, are copies of it
 * (milliseconds instead of a Prisma run). Test copies are named
 * `<database>_test_<pid>_...`, so that left-overs of killed runs can be told
 * from copies still in use and dropped here.
 */
import path from 'node:path';
import { migrationState, withClient, withDatabase } from '@oms/db';
import { dropDatabase, ensureDatabase, migrate } from '@oms/db/migrations';
import { postgresServerUrl } from './postgres';

export const templateName = (database: string) => `${database}_template`;
/** The start of a test copy's name; the pid of the process that made it follows. */
export const testCopyPrefix = (database: string) => `${database}_test_`;

/**
 * Runs `work` holding a lock on the template, across processes: Postgres
 * refuses to clone a template while anyone (a migration) is connected to it.
 */
function underTemplateLock<T>(database: string, work: () => Promise<T>): Promise<T> {
  return withClient(postgresServerUrl(), async (client) => {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [templateName(database)]);
    return work();
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function dropLeftoverTestCopies(database: string): Promise<void> {
  const { rows } = await withClient(postgresServerUrl(), (client) =>
    client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE starts_with(datname, $1)`, [testCopyPrefix(database)]),
  );
  for (const { datname } of rows) {
    const pid = Number(datname.slice(testCopyPrefix(database).length).split('_')[0]);
    if (!isAlive(pid)) await dropDatabase(withDatabase(postgresServerUrl(), datname));
  }
}

/**
 * Migrates `<database>_template`, recreating it when a migration it applied
 * has changed since (as happens while one is being written).
 */
export async function prepareTemplate(serviceDir: string, database: string): Promise<void> {
  const template = withDatabase(postgresServerUrl(), templateName(database));
  await underTemplateLock(database, async () => {
    await ensureDatabase(template);
    if ((await migrationState(template, path.join(serviceDir, 'prisma'))).modified.length > 0) await dropDatabase(template);
    await migrate(serviceDir, template);
  });
  await dropLeftoverTestCopies(database);
}

/**
 * Creates database `name` as a copy of `<database>_template`; returns its URL.
 * A tool that reads the template without the lock (prisma migrate diff, the
 * type generator) makes Postgres refuse the copy for a moment: try again.
 */
export async function copyTemplate(database: string, name: string): Promise<string> {
  const copy = `CREATE DATABASE "${name}" TEMPLATE "${templateName(database)}"`;
  await underTemplateLock(database, () =>
    withClient(postgresServerUrl(), async (client) => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await client.query(copy);
        } catch (error) {
          const inUse = (error as { code?: string }).code === '55006';
          if (!inUse || attempt >= 40) throw error;
          await new Promise((r) => setTimeout(r, 250));
        }
      }
    }),
  );
  return withDatabase(postgresServerUrl(), name);
}
