/**
 * Prisma Migrate, driven from code: used by the set-up, the test harness and
 * each service's start-up check. `prisma migrate deploy` costs ~11 s even
 * with nothing to do, so the applied set is read from _prisma_migrations
 * first and Prisma runs only when something is pending.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import pg from 'pg';

const prismaCli = createRequire(import.meta.url).resolve('prisma/build/index.js');

export function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function withClient<T>(databaseUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Creates the database unless it exists (connecting to the server's `postgres` database). */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  return withClient(withDatabase(databaseUrl, 'postgres'), async (client) => {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount) return false;
    await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
    return true;
  });
}

export async function dropDatabase(databaseUrl: string): Promise<void> {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  await withClient(withDatabase(databaseUrl, 'postgres'), (client) =>
    client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`),
  );
}

export interface MigrationState {
  /** Migrations in the folder that the database has not applied. */
  pending: string[];
  /** Applied migrations whose migration.sql has changed since (Prisma's sha256 checksum). */
  modified: string[];
}

/** Compares `<prismaDir>/migrations` with the database's _prisma_migrations. */
export async function migrationState(databaseUrl: string, prismaDir: string): Promise<MigrationState> {
  const folder = path.join(prismaDir, 'migrations');
  const entries = await readdir(folder, { withFileTypes: true });
  const all = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const applied = await withClient(databaseUrl, async (client) => {
    const { rows } = await client.query<{ exists: boolean }>(`SELECT to_regclass('_prisma_migrations') IS NOT NULL AS exists`);
    if (!rows[0]?.exists) return new Map<string, string>();
    const done = await client.query<{ migration_name: string; checksum: string }>(
      'SELECT migration_name, checksum FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
    );
    return new Map(done.rows.map((r) => [r.migration_name, r.checksum]));
  });
  const modified: string[] = [];
  for (const name of all.filter((n) => applied.has(n))) {
    const sql = await readFile(path.join(folder, name, 'migration.sql'));
    if (createHash('sha256').update(sql).digest('hex') !== applied.get(name)) modified.push(name);
  }
  return { pending: all.filter((name) => !applied.has(name)), modified };
}

/**
 * A service's start-up check: refuses a database whose applied migrations
 * differ from the service's prisma/migrations, so that it fails at once with
 * what to do instead of on the first query that needs a missing column.
 */
export async function assertMigrated(databaseUrl: string, prismaDir: string): Promise<void> {
  const { pending, modified } = await migrationState(databaseUrl, prismaDir);
  const database = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  const problems: string[] = [];
  if (modified.length > 0) {
    problems.push(`database ${database} has migrations that changed after they were applied: ${modified.join(', ')} — restore those files, or drop the database and run \`npm run setup\``);
  }
  if (pending.length > 0) {
    problems.push(`database ${database} is missing migrations: ${pending.join(', ')} — run \`npm run setup\` (or prisma migrate deploy)`);
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
}

/**
 * Undoes the newest applied migration: runs the down.sql beside its
 * migration.sql and marks its _prisma_migrations row rolled back, in one
 * transaction (DDL is transactional in Postgres), so a down script that fails
 * changes nothing. `migrate deploy` applies the migration again afterwards.
 * Returns the migration's name, or undefined when none is applied.
 */
export async function rollbackLatest(databaseUrl: string, prismaDir: string): Promise<string | undefined> {
  return withClient(databaseUrl, async (client) => {
    const { rows: exists } = await client.query<{ exists: boolean }>(`SELECT to_regclass('_prisma_migrations') IS NOT NULL AS exists`);
    if (!exists[0]?.exists) return undefined;
    await client.query('BEGIN');
    try {
      const { rows } = await client.query<{ id: string; migration_name: string }>(
        `SELECT id, migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL
         ORDER BY migration_name DESC LIMIT 1 FOR UPDATE`,
      );
      const latest = rows[0];
      if (latest) {
        const file = path.join(prismaDir, 'migrations', latest.migration_name, 'down.sql');
        const down = await readFile(file, 'utf8').catch(() => {
          throw new Error(`cannot roll back ${latest.migration_name}: ${file} is missing`);
        });
        await client.query(down);
        await client.query('UPDATE _prisma_migrations SET rolled_back_at = now() WHERE id = $1', [latest.id]);
      }
      await client.query('COMMIT');
      return latest?.migration_name;
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
  });
}

/** Runs a Node CLI (its script's path) in `cwd`; resolves to what it printed, rejects with it on failure. */
export function runNodeCli(script: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d));
    child.stderr.on('data', (d: Buffer) => (output += d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${path.basename(script)} ${args.join(' ')} failed (exit ${code}):\n${output}`)),
    );
  });
}

/** Runs a Prisma CLI command in a service folder (where its prisma.config.ts is). */
export function runPrisma(serviceDir: string, args: string[], databaseUrl: string): Promise<string> {
  return runNodeCli(prismaCli, args, { cwd: serviceDir, env: { DATABASE_URL: databaseUrl, PRISMA_HIDE_UPDATE_MESSAGE: '1' } });
}

/** Creates the database if needed and applies pending migrations; returns what it applied. */
export async function migrate(serviceDir: string, databaseUrl: string): Promise<string[]> {
  await ensureDatabase(databaseUrl);
  const { pending, modified } = await migrationState(databaseUrl, path.join(serviceDir, 'prisma'));
  if (modified.length > 0) {
    throw new Error(`${databaseUrl}: migrations ${modified.join(', ')} changed after they were applied; recreate the database`);
  }
  if (pending.length > 0) await runPrisma(serviceDir, ['migrate', 'deploy'], databaseUrl);
  return pending;
}
