/**
 * Every migration can be undone: for each service, rolling its migrations
 * back one at a time (each one's down.sql) passes through exactly the schemas
 * that applying them one at a time produced, ends with an empty database, and
 * `migrate deploy` then brings it back to the full schema.
 */
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { migrationState, withClient, withDatabase } from '@oms/db';
import { dropDatabase, ensureDatabase, migrate, rollbackLatest, runPrisma } from '@oms/db/migrations';
import { appDir, postgresServerUrl, services } from '@oms/devstack';
import { describe, it, type TestContext } from 'vitest';
import { cloneTemplate, type TestDatabase } from '../src';

type Finish = TestContext['onTestFinished'];

/** A database of this test's, dropped when it ends (the test's own hook: tests here run concurrently). */
function dropAtEnd<T extends TestDatabase>(onTestFinished: Finish, db: T): T {
  onTestFinished(() => db.drop());
  return db;
}

/** The schema as comparable lines: columns, constraints, indexes, enums, functions; Prisma's own table left out. */
function schemaOf(databaseUrl: string): Promise<string[]> {
  return withClient(databaseUrl, async (client) => {
    const { rows } = await client.query<{ line: string }>(`
      SELECT format('column %s.%s %s %s default %s', table_name, column_name, data_type, is_nullable, column_default) AS line
        FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'
      UNION ALL
      SELECT format('constraint %s %s %s', conrelid::regclass, conname, pg_get_constraintdef(oid))
        FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> '_prisma_migrations'
      UNION ALL
      SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'
      UNION ALL
      SELECT format('enum %s %s', t.typname, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder))
        FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname
      UNION ALL
      SELECT 'function ' || oid::regprocedure FROM pg_proc WHERE pronamespace = 'public'::regnamespace
      ORDER BY 1`);
    return rows.map((r) => r.line);
  });
}

/** The schema after each migration, applied one by one (plain SQL, no Prisma) to an empty database. */
async function schemasGoingUp(onTestFinished: Finish, dir: string, database: string): Promise<string[][]> {
  const url = withDatabase(postgresServerUrl(), `${database}_up_${process.pid}`);
  await ensureDatabase(url);
  dropAtEnd(onTestFinished, { url, drop: () => dropDatabase(url) });
  const folder = path.join(dir, 'prisma', 'migrations');
  const names = (await readdir(folder, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const schemas = [await schemaOf(url)];
  for (const name of names) {
    const sql = await readFile(path.join(folder, name, 'migration.sql'), 'utf8');
    await withClient(url, (client) => client.query(sql));
    schemas.push(await schemaOf(url));
  }
  return schemas;
}

describe('migrations of every service', () => {
  // Concurrent: most of each test is one `migrate deploy`, a WASM engine waiting on a timer.
  it.concurrent.for(services)(
    '$app: go down one by one through the schemas they went up through, and up again',
    async ({ app, database }, { expect, onTestFinished }) => {
      const dir = appDir(app);
      const up = await schemasGoingUp(onTestFinished, dir, database);
      expect(up[0]).toEqual([]);

      const db = dropAtEnd(onTestFinished, await cloneTemplate(database));
      expect(await schemaOf(db.url)).toEqual(up.at(-1));
      for (let applied = up.length - 1; applied > 0; applied--) {
        const rolledBack = await rollbackLatest(db.url, path.join(dir, 'prisma'));
        expect(rolledBack, `${app}: roll back to ${applied - 1} migrations`).toBeDefined();
        expect(await schemaOf(db.url), `${app}: after rolling back ${rolledBack}`).toEqual(up[applied - 1]);
      }
      expect(await rollbackLatest(db.url, path.join(dir, 'prisma'))).toBeUndefined();
      expect((await migrationState(db.url, path.join(dir, 'prisma'))).pending).toHaveLength(up.length - 1);

      await migrate(dir, db.url);
      expect(await schemaOf(db.url)).toEqual(up.at(-1));
      expect((await migrationState(db.url, path.join(dir, 'prisma'))).pending).toEqual([]);
    },
  );
});

describe('the Prisma schema of every service', () => {
  // Migrations are written by hand (data moves, down scripts): Prisma checks they still build the schema it models.
  it.concurrent.for(services)('$app: is what its migrations build', async ({ app }) => {
    const args = ['migrate', 'diff', '--from-migrations', 'prisma/migrations', '--to-schema-datamodel', 'prisma', '--exit-code'];
    // Any database serves to make the shadow from; not the template, which others copy meanwhile.
    await runPrisma(appDir(app), args, withDatabase(postgresServerUrl(), 'postgres'));
  });
});

describe('rollbackLatest', () => {
  it('changes nothing when a down script fails halfway', async ({ expect, onTestFinished }) => {
    const db = dropAtEnd(onTestFinished, await cloneTemplate('oms_shipping'));
    const prismaDir = path.join(appDir('shipping-service'), 'prisma');
    const [latest] = (await readdir(path.join(prismaDir, 'migrations')))
      .filter((n) => /^\d/.test(n))
      .sort()
      .reverse();
    const broken = await mkdtemp(path.join(tmpdir(), 'oms-down-'));
    onTestFinished(() => rm(broken, { recursive: true }));
    await cp(path.join(prismaDir, 'migrations'), path.join(broken, 'migrations'), { recursive: true });
    await writeFile(path.join(broken, 'migrations', latest!, 'down.sql'), 'DROP TABLE shipment_lines;\nSELECT 1 / 0;\n');
    const before = await schemaOf(db.url);

    await expect(rollbackLatest(db.url, broken)).rejects.toThrow('division by zero');
    expect(await schemaOf(db.url)).toEqual(before);
    expect((await migrationState(db.url, prismaDir)).pending).toEqual([]);

    await rm(path.join(broken, 'migrations', latest!, 'down.sql'));
    await expect(rollbackLatest(db.url, broken)).rejects.toThrow(
      `cannot roll back ${latest}: ${path.join(broken, 'migrations', latest!, 'down.sql')} is missing`,
    );
  });
});
