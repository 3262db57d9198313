/**
 * Throwaway databases. Each service's vitest globalSetup brings a template database
 * up to date once (`prepareTemplate`); each test file then clones it
 * (`cloneTemplate`, milliseconds) and drops its clone afterwards, so tests
 * never share state and can run again and again.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { dropDatabase, ensureDatabase, migrate, migrationState, withClient, withDatabase } from '@oms/db';
import { postgresServerUrl } from './postgres';

const templateName = (database: string) => `${database}_template`;
const clonePrefix = (database: string) => `${database}_test_`;

/**
 * Migrates `<database>_template` (recreating it when a migration it applied
 * has changed since, as happens while one is being written) and drops clones
 * left by killed runs.
 */
export async function prepareTemplate(serviceDir: string, database: string): Promise<void> {
  const template = withDatabase(postgresServerUrl(), templateName(database));
  await ensureDatabase(template);
  if ((await migrationState(template, path.join(serviceDir, 'prisma'))).modified.length > 0) await dropDatabase(template);
  await migrate(serviceDir, template);
  const { rows } = await withClient(postgresServerUrl(), (client) =>
    client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE starts_with(datname, $1)`,
      [clonePrefix(database)],
    ),
  );
  for (const { datname } of rows) await dropDatabase(withDatabase(postgresServerUrl(), datname));
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function cloneTemplate(database: string): Promise<TestDatabase> {
  const name = `${clonePrefix(database)}${randomBytes(4).toString('hex')}`;
  await withClient(postgresServerUrl(), (client) =>
    client.query(`CREATE DATABASE "${name}" TEMPLATE "${templateName(database)}"`),
  );
  const url = withDatabase(postgresServerUrl(), name);
  return { url, drop: () => dropDatabase(url) };
}
