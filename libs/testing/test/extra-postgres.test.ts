/**
 * startExtraPostgres: a second real Postgres with a migrated order shard,
 * which a test can stop and start again, gone after remove().
 */
import { existsSync } from 'node:fs';
import { withClient } from '@oms/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExtraPostgres, type ExtraPostgres } from '../src';

const answers = (url: string) => withClient(url, async () => true).catch(() => false);

describe('a second Postgres server', () => {
  let extra: ExtraPostgres;

  beforeAll(async () => {
    extra = await startExtraPostgres({ settings: { max_prepared_transactions: '10' } });
  });
  afterAll(() => extra?.remove());

  it('runs on a port of its own with the settings given, and holds a migrated order shard', async () => {
    expect(new URL(extra.url).port).not.toBe('5432');
    await withClient(extra.orderShardUrl, async (c) => {
      expect((await c.query('SHOW max_prepared_transactions')).rows[0].max_prepared_transactions).toBe('10');
      const { rows } = await c.query<{ pending: number }>('SELECT count(*)::int AS pending FROM _prisma_migrations WHERE finished_at IS NULL');
      expect(rows[0]!.pending).toBe(0);
      expect((await c.query("SELECT to_regclass('orders') IS NOT NULL AS there")).rows[0].there).toBe(true);
    });
    expect(new URL(extra.orderShardUrl).pathname).toBe('/oms_order_shard1');
  });

  it('stops (refusing connections) and starts again with its data', async () => {
    await withClient(extra.orderShardUrl, (c) => c.query('CREATE TABLE survives_restart (x int); INSERT INTO survives_restart VALUES (42)'));
    extra.stop('immediate');
    expect(await answers(extra.orderShardUrl)).toBe(false);
    await extra.start();
    const { rows } = await withClient(extra.orderShardUrl, (c) => c.query<{ x: number }>('SELECT x FROM survives_restart'));
    expect(rows).toEqual([{ x: 42 }]);
  });

  // Last: afterAll's remove() then finds it stopped and its folder gone, which it tolerates.
  it('remove() stops the server and deletes its folder', async () => {
    const dataDir = (await withClient(extra.url, (c) => c.query<{ data_directory: string }>('SHOW data_directory'))).rows[0]!.data_directory;
    extra.remove();
    expect(await answers(extra.url)).toBe(false);
    expect(existsSync(dataDir)).toBe(false);
  });
});
