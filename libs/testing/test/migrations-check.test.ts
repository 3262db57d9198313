/**
 * A service refuses to start on a database whose migrations differ from its
 * own (assertMigrated), saying which ones and what to do.
 */
import { withClient } from '@oms/db';
import { startAppProcess } from '@oms/devstack';
import { afterEach, describe, expect, it } from 'vitest';
import { cloneTemplate, type TestDatabase } from '../src';

let db: TestDatabase | undefined;
afterEach(async () => {
  await db?.drop();
  db = undefined;
});

/** A clone of the migrated template with its newest migration's record changed by `change`. */
async function databaseWithNewestMigration(change: string) {
  db = await cloneTemplate('oms_inventory');
  const newest = await withClient(db.url, async (client) => {
    const { rows } = await client.query<{ migration_name: string }>('SELECT migration_name FROM _prisma_migrations ORDER BY migration_name DESC LIMIT 1');
    await client.query(change, [rows[0]!.migration_name]);
    return rows[0]!.migration_name;
  });
  return { url: db.url, name: new URL(db.url).pathname.slice(1), newest };
}

describe('the start-up migration check', () => {
  it('refuses to start when a migration is missing from the database', async () => {
    const { url, name, newest } = await databaseWithNewestMigration('DELETE FROM _prisma_migrations WHERE migration_name = $1');
    const start = startAppProcess('inventory-service', { DATABASE_URL: url }, { timeoutMs: 30_000 });
    await expect(start).rejects.toThrow(`the app exited (1) before it was ready`);
    await expect(start).rejects.toThrow(`database ${name} is missing migrations: ${newest} — run \`npm run setup\` (or prisma migrate deploy)`);
  });

  it('refuses to start when an applied migration has changed since', async () => {
    const { url, name, newest } = await databaseWithNewestMigration(`UPDATE _prisma_migrations SET checksum = 'edited' WHERE migration_name = $1`);
    const start = startAppProcess('inventory-service', { DATABASE_URL: url }, { timeoutMs: 30_000 });
    await expect(start).rejects.toThrow(`database ${name} has migrations that changed after they were applied: ${newest}`);
  });
});
