/**
 * Throwaway databases. Each service's vitest globalSetup brings a template
 * database up to date once (`prepareTemplate`); each test file then clones it
 * (`cloneTemplate`, milliseconds) and drops its clone afterwards, so tests
 * never share state and can run again and again, several projects at once.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { dropDatabase, ensureDatabase, migrate, migrationState, withClient, withDatabase } from '@oms/db';
import { postgresServerUrl } from './postgres';

export const templateName = (database: string) => `${database}_template`;
// A clone's name carries the pid of the process that made it, so that
// left-overs of killed runs can be told from clones still in use.
const clonePrefix = (database: string) => `${database}_test_`;

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

async function dropLeftoverClones(database: string): Promise<void> {
  const { rows } = await withClient(postgresServerUrl(), (client) =>
    client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE starts_with(datname, $1)`, [clonePrefix(database)]),
  );
  for (const { datname } of rows) {
    const pid = Number(datname.slice(clonePrefix(database).length).split('_')[0]);
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
  await dropLeftoverClones(database);
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
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

export async function cloneTemplate(database: string): Promise<TestDatabase> {
  const url = await copyTemplate(database, `${clonePrefix(database)}${process.pid}_${randomBytes(4).toString('hex')}`);
  return { url, drop: () => dropDatabase(url) };
}
