/**
 * Ids that route themselves (docs/sharding.md). A customer lives in one of
 * BUCKETS virtual buckets; the bucket map says which shard holds a bucket.
 *
 * A new id is 63 bits, positive in a signed BIGINT:
 *   bit 62         1: a routable id (ids made before sharding are below 2^62)
 *   bits 20..61    milliseconds since 2026-01-01 (139 years): ids grow with time, so inserts stay at the index's end
 *   bits 10..19    a counter (from a random start per process; a cycling sequence in SQL):
 *                  ids made in the same millisecond for the same bucket differ
 *   bits 0..9      the bucket
 * Ids need no central sequence: an id's bucket fixes its shard, so its
 * primary key there catches the rare duplicate (two replicas, same
 * millisecond, bucket and counter): ABORTED, and the retry makes another id.
 */
import { createHash, randomInt } from 'node:crypto';

export const BUCKETS = 1024;
const bucketBits = 10n;
const sequenceBits = 10n;
const routable = 1n << 62n;
const epochMs = Date.UTC(2026, 0, 1);

// Counts through the middle bits from a random start: distinct for 1,024 ids in a
// row in this process, and unlikely to meet another replica's in the same millisecond.
let sequence = randomInt(1 << Number(sequenceBits));

/** A new id in `bucket`. */
export function newId(bucket: number, nowMs = Date.now()): bigint {
  const ms = BigInt(nowMs - epochMs);
  sequence = (sequence + 1) % (1 << Number(sequenceBits));
  return routable | (ms << (bucketBits + sequenceBits)) | (BigInt(sequence) << bucketBits) | BigInt(bucket);
}

export const isRoutable = (id: bigint): boolean => id >= routable;

/**
 * The stable hash: the first 4 bytes of SHA-256, big-endian, mod BUCKETS.
 * SHA-256 because Postgres computes the same (`sha256(int8send(id))`), so the
 * migration placed the customers made before sharding with this very rule.
 */
function hashBucket(bytes: Buffer | string): number {
  return createHash('sha256').update(bytes).digest().readUInt32BE(0) % BUCKETS;
}

/** A customer's bucket: in the id, or hashed from an id made before sharding. */
export function customerBucket(id: bigint): number {
  if (isRoutable(id)) return Number(id & BigInt(BUCKETS - 1));
  const bytes = Buffer.alloc(8);
  bytes.writeBigInt64BE(id);
  return hashBucket(bytes);
}

/** An order's bucket (its customer's), or undefined for an order made before sharding (see legacy_order_buckets). */
export function orderBucket(id: bigint): number | undefined {
  return isRoutable(id) ? Number(id & BigInt(BUCKETS - 1)) : undefined;
}

/** Where a new customer goes: from the idempotency key, so a retry of CreateCustomer asks the same shard. */
export const bucketOfKey = (idempotencyKey: string): number => hashBucket(idempotencyKey);
