/**
 * The bucket map: which shard holds each bucket, versioned, kept in shard 0's
 * database (the catalog). The first start writes version 1; later versions
 * come from moving buckets, never from a formula over the shard count, so
 * adding a shard moves only the buckets someone chooses to move.
 */
import type { PrismaClient } from '../generated/prisma/client';
import { BUCKETS } from './ids';

export interface BucketMap {
  version: number;
  /** By bucket: the shard number. */
  shardOf: number[];
}

/** The newest version of the map, or undefined before the first start. */
export async function loadMap(catalog: Pick<PrismaClient, 'shardMapVersion'>): Promise<BucketMap | undefined> {
  const latest = await catalog.shardMapVersion.findFirst({ orderBy: { version: 'desc' }, include: { buckets: true } });
  if (!latest) return undefined;
  const shardOf = new Array<number>(BUCKETS);
  for (const { bucket, shard } of latest.buckets) shardOf[bucket] = shard;
  return { version: latest.version, shardOf };
}

/** Refuses a map that places buckets on a shard beyond the `shardCount` configured (DATABASE_URL and ORDER_SHARD_URLS). */
export function assertMapFits(map: BucketMap, shardCount: number): void {
  const unknown = map.shardOf.find((shard) => shard >= shardCount);
  if (unknown !== undefined) {
    throw new Error(
      `bucket map version ${map.version} places buckets on order shard ${unknown}, but only ${shardCount} shards are configured (DATABASE_URL and ORDER_SHARD_URLS)`,
    );
  }
}

/**
 * Version 1, for shards that hold nothing yet: contiguous ranges of buckets,
 * one per shard. When shard 0 already holds customers (made before
 * sharding), every bucket stays on shard 0 until moved.
 */
export function firstMap(shardCount: number, shard0HasData: boolean): BucketMap {
  const shardOf = Array.from({ length: BUCKETS }, (_, bucket) => (shard0HasData ? 0 : Math.floor((bucket * shardCount) / BUCKETS)));
  return { version: 1, shardOf };
}

/** Says which shard a database is, once; refuses a database that is another shard (a shard list out of order). */
export async function claimIdentity(db: PrismaClient, shard: number, name: string): Promise<void> {
  await db.$executeRawUnsafe('INSERT INTO shard_identity (shard) SELECT $1 WHERE NOT EXISTS (SELECT 1 FROM shard_identity)', shard);
  const rows = await db.shardIdentity.findMany();
  const others = rows.filter((row) => row.shard !== shard);
  if (others.length > 0) {
    throw new Error(`database ${name} is order shard ${others[0]!.shard}, but it is configured as shard ${shard}: check the order of ORDER_SHARD_URLS`);
  }
}

/**
 * Writes the first map if there is none: each shard's owned_buckets first,
 * then the catalog's version 1 (a crash in between redoes it all at the next
 * start). An advisory lock keeps replicas that start together from racing.
 */
export async function ensureMap(shards: { db: PrismaClient; name: string }[]): Promise<BucketMap> {
  const catalog = shards[0]!.db;
  return catalog.$transaction(
    async (tx) => {
      await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(hashtext('oms.bucket_map'))`);
      const existing = await loadMap(tx);
      if (existing) return existing;
      const counts = await Promise.all(shards.map(({ db }) => db.customer.count()));
      const holding = counts.findIndex((count, shard) => shard > 0 && count > 0);
      if (holding > 0) throw new Error(`order shard ${holding} (${shards[holding]!.name}) holds customers but the catalog has no bucket map`);
      const map = firstMap(shards.length, counts[0]! > 0);
      for (const [shard, { db }] of shards.entries()) {
        const owned = map.shardOf.flatMap((owner, bucket) => (owner === shard ? [{ bucket, mapVersion: map.version }] : []));
        await db.$transaction([db.ownedBucket.deleteMany(), db.ownedBucket.createMany({ data: owned })]);
      }
      await tx.shardMapVersion.create({
        data: {
          version: map.version,
          reason: counts[0]! > 0 ? 'first map: every bucket on shard 0, which holds the data made before sharding' : `first map: ${shards.length} shards`,
          buckets: { createMany: { data: map.shardOf.map((shard, bucket) => ({ bucket, shard })) } },
        },
      });
      return map;
    },
    { timeout: 60_000, maxWait: 60_000 },
  );
}
