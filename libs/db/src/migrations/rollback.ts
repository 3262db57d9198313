import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { withClient } from '../connections';

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
