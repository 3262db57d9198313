/**
 * A second real Postgres server, for tests of what spans servers (order
 * shards on different machines, two-phase commit between them): an embedded
 * Postgres in a temporary folder on a free port, holding a migrated order
 * shard database. The test may stop and start it (a server down); `remove()`
 * at teardown stops it and deletes its folder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { withDatabase } from '@oms/db';
import { migrate } from '@oms/db/migrations';
import { appDir, postgresServer, services, shardDatabases, type PostgresServer } from '@oms/devstack';
import { freePort } from '@oms/platform';

export interface ExtraPostgres extends PostgresServer {
  /** The order shard database on it (oms_order_shard1 unless named), migrated. */
  orderShardUrl: string;
  /** Stops the server if it runs and deletes its folder. */
  remove(): void;
}

/**
 * Starts the server (with extra server `settings`, e.g. `{ max_prepared_transactions: '10' }`)
 * and migrates its order shard, in `database` (shard 0's oms_order, say) when given.
 */
export async function startExtraPostgres(options: { settings?: Record<string, string>; database?: string } = {}): Promise<ExtraPostgres> {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'oms-extra-postgres-'));
  const server = await postgresServer({ dataDir: path.join(folder, 'data'), port: await freePort(), settings: options.settings });
  const extra: ExtraPostgres = {
    ...server,
    orderShardUrl: withDatabase(server.url, options.database ?? shardDatabases(services.find((s) => s.app === 'order-service')!)[0]!),
    remove() {
      try {
        server.stop('immediate'); // its data goes anyway
      } catch {
        // not running (stopped by the test, or it never started)
      }
      rmSync(folder, { recursive: true, force: true });
    },
  };
  try {
    await extra.start();
    await migrate(appDir('order-service'), extra.orderShardUrl);
    return extra;
  } catch (error) {
    extra.remove();
    throw error;
  }
}
