/**
 * Routes each call to the shard that holds its bucket (docs/sharding.md).
 * The map is cached; a shard refuses a bucket it does not own (WrongShard),
 * and then the router reloads the map and asks again.
 */
import { Code, ConnectError } from '@connectrpc/connect';
import { isTransientDatabaseError } from '@oms/db';
import { LRUCache } from 'lru-cache';
import type { PrismaClient } from '../generated/prisma/client';
import type { OrderStore } from '../store';
import { assertMapFits, type BucketMap } from './catalog';
import { orderBucket } from './ids';

/** A shard's answer to a call for a bucket it does not serve (the router's map was stale). */
export class WrongShard extends Error {
  constructor(
    readonly shard: number,
    readonly bucket: number,
  ) {
    super(`order shard ${shard} does not serve bucket ${bucket}`);
  }
}

export interface Shard {
  id: number;
  /** host:port/database, for messages. */
  name: string;
  /** Its database URL, for sessions of its own (a bucket move). */
  url: string;
  db: PrismaClient;
  store: OrderStore;
  /** Resolves once the shard's start-up check passed (migrations, identity); retried at each call until it does. */
  ready(): Promise<void>;
}

/** How many times a call is routed again after a WrongShard before it answers UNAVAILABLE (a bucket in the middle of a move). */
const attempts = 3;

export class ShardRouter {
  private reloading?: Promise<void>;
  /** Orders made before sharding: id → bucket, from shard 0's directory (which never changes). */
  private readonly legacyBuckets = new LRUCache<bigint, number>({ max: 100_000 });

  constructor(
    readonly shards: Shard[],
    private map: BucketMap,
    private readonly loadMap: () => Promise<BucketMap>,
  ) {
    assertMapFits(map, this.shards.length);
  }

  get mapVersion(): number {
    return this.map.version;
  }

  shardOf(bucket: number): Shard {
    return this.shards[this.map.shardOf[bucket]!]!;
  }

  /**
   * Runs `work` on the bucket's shard. A WrongShard reloads the map and tries
   * again; a shard that cannot be reached is UNAVAILABLE, named, so callers
   * retry and everyone else's shards go on serving.
   */
  async run<T>(bucket: number, work: (shard: Shard) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const shard = this.shardOf(bucket);
      try {
        await shard.ready();
        return await work(shard);
      } catch (error) {
        if (error instanceof WrongShard) {
          if (attempt === attempts) throw new ConnectError(`bucket ${bucket} is moving between shards, try again`, Code.Unavailable);
          await this.reload();
          continue;
        }
        // Another service's errors (inventory's, say) pass as they are: only this shard's database faults are the shard's.
        if (!(error instanceof ConnectError) && isTransientDatabaseError(error)) {
          throw new ConnectError(`order shard ${shard.id} (${shard.name}) unavailable, try again`, Code.Unavailable, undefined, undefined, error);
        }
        throw error;
      }
    }
  }

  /** The bucket of an order: in its id, or (made before sharding) in shard 0's directory; undefined when there is no such order. */
  async orderBucket(id: bigint): Promise<number | undefined> {
    const bucket = orderBucket(id) ?? this.legacyBuckets.get(id);
    if (bucket !== undefined) return bucket;
    const catalog = this.shards[0]!;
    const row = await catalog.db.legacyOrderBucket.findUnique({ where: { orderId: id } }).catch((error: unknown) => {
      if (!isTransientDatabaseError(error)) throw error;
      throw new ConnectError(
        `order shard 0 (${catalog.name}), which knows where orders made before sharding live, is unavailable, try again`,
        Code.Unavailable,
      );
    });
    if (row) this.legacyBuckets.set(id, row.bucket);
    return row?.bucket;
  }

  /** Reads the newest map; concurrent callers share one read. */
  reload(): Promise<void> {
    this.reloading ??= this.loadMap()
      .then((map) => {
        assertMapFits(map, this.shards.length);
        this.map = map;
      })
      .finally(() => (this.reloading = undefined));
    return this.reloading;
  }
}
