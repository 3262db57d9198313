/**
 * Whether a database has applied exactly the migrations in a service's
 * prisma/migrations: read from _prisma_migrations with plain SQL (no Prisma
 * CLI), so a service can check at start-up and the set-up can skip Prisma
 * (~11 s even with nothing to do) when nothing is pending.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { withClient } from './connections';

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
  const all = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
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
    problems.push(
      `database ${database} has migrations that changed after they were applied: ${modified.join(', ')} — restore those files, or drop the database and run \`npm run setup\``,
    );
  }
  if (pending.length > 0) {
    problems.push(`database ${database} is missing migrations: ${pending.join(', ')} — run \`npm run setup\` (or prisma migrate deploy)`);
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
}
