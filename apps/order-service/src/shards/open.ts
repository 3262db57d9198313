/**
 * Opens order-service's shards: shard 0 at DATABASE_URL (also the catalog,
 * which holds the bucket map), the others at ORDER_SHARD_URLS; one pool each,
 * the DATABASE_POOL_SIZE budget split evenly. Each shard is checked
 * (migrations, identity) at start; a shard that does not answer then is
 * checked again at its first call, so that it fails only its own customers.
 */
import { assertMigrated, isTransientDatabaseError } from '@oms/db';
import type { Logger } from '@oms/platform';
import type { PrismaClient } from '../generated/prisma/client';
import { OrderStore } from '../store';
import { claimIdentity, ensureMap, loadMap } from './catalog';
import { ShardRouter, type Shard } from './router';

/** Each shard's pool: the budget split evenly, 2 at least (one for a transaction, one for a read beside it). */
export const shardPoolSize = (budget: number, shardCount: number): number => Math.max(2, Math.floor(budget / shardCount));

/** "host:port/database": a shard's name in messages (never its credentials). */
export function shardName(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  return `${url.host}${url.pathname}`;
}

export async function openShards(options: {
  /** Shard 0 (DATABASE_URL) first. */
  urls: string[];
  /** Shard 0's client, already checked by the service kit. */
  catalog: PrismaClient;
  connect: (databaseUrl: string) => PrismaClient;
  prismaDir: string;
  logger: Logger;
}): Promise<ShardRouter> {
  const { urls, catalog, connect, prismaDir, logger } = options;
  const shards = urls.map((url, id): Shard => {
    const db = id === 0 ? catalog : connect(url);
    const name = shardName(url);
    const check = async () => {
      if (id > 0) await assertMigrated(url, prismaDir);
      await claimIdentity(db, id, name);
    };
    let checked: Promise<void> | undefined;
    return {
      id,
      name,
      url,
      db,
      store: new OrderStore(db, id),
      ready: () =>
        (checked ??= check().catch((error: unknown) => {
          checked = undefined;
          throw error;
        })),
    };
  });
  await Promise.all(
    shards.map((shard) =>
      shard.ready().catch((error: unknown) => {
        if (!isTransientDatabaseError(error)) throw error;
        logger.warn({ shard: shard.id, err: error }, `order shard ${shard.id} (${shard.name}) does not answer: its customers' calls fail until it does`);
      }),
    ),
  );
  const map = await ensureMap(shards);
  const router = new ShardRouter(shards, map, async () => (await loadMap(catalog))!);
  const owned = shards.map((shard) => map.shardOf.filter((owner) => owner === shard.id).length);
  logger.info({ mapVersion: map.version }, `${shards.length} order shards: ${shards.map((s) => `${s.id} ${s.name} (${owned[s.id]} buckets)`).join(', ')}`);
  return router;
}
