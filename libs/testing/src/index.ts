/**
 * Test harness. Each service's vitest globalSetup brings a template database
 * up to date once (`prepareTemplate`); each test file then clones it
 * (`cloneTemplate`, milliseconds) and drops its clone afterwards, so tests
 * never share state and can run again and again.
 */
import { randomBytes } from 'node:crypto';
import { ConnectError } from '@connectrpc/connect';
import { dropDatabase, migrate, withClient, withDatabase } from '@oms/db';

/** The Postgres server tests use (any database on it; trust or password auth in the URL). */
export const postgresServerUrl = (): string => process.env.OMS_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const templateName = (database: string) => `${database}_template`;
const clonePrefix = (database: string) => `${database}_test_`;

/** Migrates `<database>_template` and drops clones left by killed runs. */
export async function prepareTemplate(serviceDir: string, database: string): Promise<void> {
  await migrate(serviceDir, withDatabase(postgresServerUrl(), templateName(database)));
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

/** The error a call failed with; fails the test when the call succeeded. */
export async function rpcError(call: Promise<unknown>): Promise<ConnectError> {
  try {
    await call;
  } catch (error) {
    return ConnectError.from(error);
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** Settings that make a service quiet and bind free ports, for in-process tests. */
export const testServiceEnv = (databaseUrl: string) => ({
  DATABASE_URL: databaseUrl,
  PORT: '0',
  METRICS_PORT: '0',
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
});
