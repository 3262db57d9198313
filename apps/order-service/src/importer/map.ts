/**
 * The bucket map an import routes by: the newest in shard 0's catalog, read
 * once at the start (a bucket moved during the import makes its orders a
 * "stale map" rejection, see copy.ts). The import never writes a first map:
 * order-service writes it at its first start, after its start-up checks.
 */
import { pgAdapter } from '@oms/db';
import { PrismaClient } from '../generated/prisma/client';
import { assertMapFits, claimIdentity, loadMap, type BucketMap } from '../shards/catalog';
import { shardName } from '../shards/open';

/** Runs `work` with a PrismaClient (2 connections: ensureMap reads beside its transaction) on each of `urls` (shard 0 first), disconnected after. */
export async function withPrismaShards<T>(urls: string[], work: (shards: { db: PrismaClient; name: string }[]) => Promise<T>): Promise<T> {
  const shards = urls.map((url) => ({ db: new PrismaClient({ adapter: pgAdapter(url, 2) }), name: shardName(url) }));
  try {
    return await work(shards);
  } finally {
    await Promise.all(shards.map(({ db }) => db.$disconnect()));
  }
}

/** Checks that each of `urls` (shard 0 first) is the shard its place says (as order-service does at start), then reads the map; throws when either is wrong. */
export function loadImportMap(urls: string[]): Promise<BucketMap> {
  return withPrismaShards(urls, async (shards) => {
    await Promise.all(shards.map(({ db, name }, shard) => claimIdentity(db, shard, name)));
    const map = await loadMap(shards[0]!.db);
    if (!map) {
      throw new Error(
        `the catalog (${shards[0]!.name}) has no bucket map yet: start order-service once with the same DATABASE_URL and ORDER_SHARD_URLS, it writes the first map`,
      );
    }
    assertMapFits(map, shards.length);
    return map;
  });
}
