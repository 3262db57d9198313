/**
 * Ids that route themselves: the bucket is in a new id, and the SQL twins of
 * src/shards/ids.ts (customer_bucket, new_row_id, in the sharding migration)
 * give the same answers as the TypeScript, on a real database.
 */
import { withClient } from '@oms/db';
import { cloneTemplate, type TestDatabase } from '@oms/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketOfKey, BUCKETS, customerBucket, isRoutable, newId, orderBucket } from '../src/shards/ids';

let db: TestDatabase;

beforeAll(async () => {
  db = await cloneTemplate('oms_order');
});

afterAll(async () => {
  await db?.drop();
});

describe('ids', () => {
  it('carry their bucket, fit a signed BIGINT and grow with time', () => {
    const earlier = newId(1023, Date.UTC(2026, 5, 1));
    const later = newId(0, Date.UTC(2026, 5, 1) + 1);
    for (const [id, bucket] of [
      [earlier, 1023],
      [later, 0],
    ] as const) {
      expect(isRoutable(id)).toBe(true);
      expect(id < 1n << 63n).toBe(true);
      expect(customerBucket(id)).toBe(bucket);
      expect(orderBucket(id)).toBe(bucket);
    }
    expect(later > earlier).toBe(true);
  });

  it('differ when made in the same millisecond for the same bucket', () => {
    const ids = new Set(Array.from({ length: 200 }, () => newId(5, Date.UTC(2026, 5, 1))));
    expect(ids.size).toBe(200);
  });

  it('made before sharding: customers hash to a bucket, orders have none in their id', () => {
    expect(isRoutable(42n)).toBe(false);
    expect(orderBucket(42n)).toBeUndefined();
    const buckets = new Set(Array.from({ length: 5000 }, (_, i) => customerBucket(BigInt(i + 1))));
    // A hash spreads 5,000 sequential ids over nearly all 1,024 buckets.
    expect(buckets.size).toBeGreaterThan(950);
  });

  it('send retries of one idempotency key to one bucket', () => {
    expect(bucketOfKey('key-1')).toBe(bucketOfKey('key-1'));
    expect(bucketOfKey('key-1')).toBeLessThan(BUCKETS);
  });

  it('are computed the same in SQL as here', async () => {
    const legacy = Array.from({ length: 500 }, (_, i) => BigInt(i * 7919 + 1));
    const routable = Array.from({ length: 500 }, (_, i) => newId(i % BUCKETS));
    const ids = [...legacy, ...routable];
    const rows = await withClient(db.url, async (c) => {
      const { rows } = await c.query<{ bucket: number }>(
        'SELECT customer_bucket(id) AS bucket FROM unnest($1::bigint[]) WITH ORDINALITY AS t(id, n) ORDER BY n',
        [ids.map(String)],
      );
      return rows.map((r) => r.bucket);
    });
    expect(rows).toEqual(ids.map(customerBucket));
    const made = await withClient(
      db.url,
      async (c) => (await c.query<{ id: string }>('SELECT new_row_id(b::smallint)::text AS id FROM generate_series(0, 1023) b')).rows,
    );
    made.forEach(({ id }, bucket) => {
      expect(isRoutable(BigInt(id))).toBe(true);
      expect(orderBucket(BigInt(id))).toBe(bucket);
      // Made now: its time part is within a minute of this process's clock.
      expect(Math.abs(Number(BigInt(id) - newId(bucket)) / 2 ** 20)).toBeLessThan(60_000);
    });
  });
});
