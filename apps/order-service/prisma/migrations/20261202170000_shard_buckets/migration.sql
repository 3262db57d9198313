-- Sharding by customer (docs/sharding.md). Every shard database has this schema;
-- the catalog tables (shard_map_versions, bucket_map, legacy_order_buckets) are
-- read on shard 0 only.

-- The rules of src/shards/ids.ts in SQL (test/ids.test.ts holds the two to the same
-- answers), for the migration below and for bulk writes (the CSV import, benchmarks).
-- A customer's bucket: in a routable id's low 10 bits; for an id made before sharding,
-- the first 4 bytes of SHA-256 of the id, mod 1024.
CREATE FUNCTION customer_bucket(id BIGINT) RETURNS SMALLINT LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN id >= (1::bigint << 62) THEN (id & 1023)::smallint
    ELSE (((get_byte(h, 0)::bigint << 24) | (get_byte(h, 1) << 16) | (get_byte(h, 2) << 8) | get_byte(h, 3)) % 1024)::smallint END
  FROM sha256(int8send(id)) AS h
$$;
-- A new routable id in a bucket: the flag, milliseconds since 2026-01-01, 10 random bits, the bucket.
CREATE FUNCTION new_row_id(bucket SMALLINT) RETURNS BIGINT LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
  SELECT (1::bigint << 62)
    | ((floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint - 1767225600000) << 20)
    | (floor(random() * 1024)::bigint << 10)
    | bucket
$$;

-- Every customer and order says its bucket, so a bucket's rows can be found and moved.
-- Customers made before sharding keep their ids, and their bucket is the hash of the id.
ALTER TABLE "customers" ADD COLUMN "bucket" SMALLINT;
UPDATE "customers" SET "bucket" = customer_bucket("id");
ALTER TABLE "customers" ALTER COLUMN "bucket" SET NOT NULL;
CREATE INDEX "customers_bucket_idx" ON "customers"("bucket");

ALTER TABLE "orders" ADD COLUMN "bucket" SMALLINT;
UPDATE "orders" o SET "bucket" = c."bucket" FROM "customers" c WHERE c."id" = o."customer_id";
ALTER TABLE "orders" ALTER COLUMN "bucket" SET NOT NULL;
CREATE INDEX "orders_bucket_idx" ON "orders"("bucket");

-- Orders made before sharding carry no bucket in their ids: this directory says it (it never changes).
CREATE TABLE "legacy_order_buckets" (
    "order_id" BIGINT NOT NULL,
    "bucket" SMALLINT NOT NULL,
    CONSTRAINT "legacy_order_buckets_pkey" PRIMARY KEY ("order_id")
);
INSERT INTO "legacy_order_buckets" ("order_id", "bucket") SELECT "id", "bucket" FROM "orders";

-- New ids come from src/shards/ids.ts, never from a sequence: a sequence would be per shard.
ALTER TABLE "customers" ALTER COLUMN "id" DROP DEFAULT;
DROP SEQUENCE "customers_id_seq";
ALTER TABLE "orders" ALTER COLUMN "id" DROP DEFAULT;
DROP SEQUENCE "orders_id_seq";

-- The bucket map, whole, per version; the newest version is the map.
CREATE TABLE "shard_map_versions" (
    "version" INTEGER NOT NULL,
    "reason" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "shard_map_versions_pkey" PRIMARY KEY ("version")
);
CREATE TABLE "bucket_map" (
    "version" INTEGER NOT NULL,
    "bucket" SMALLINT NOT NULL,
    "shard" SMALLINT NOT NULL,
    CONSTRAINT "bucket_map_pkey" PRIMARY KEY ("version", "bucket"),
    CONSTRAINT "bucket_map_version_fkey" FOREIGN KEY ("version") REFERENCES "shard_map_versions"("version") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- What this shard serves: every write checks its bucket here first (FOR SHARE), so a
-- router with a stale map is refused, and a move can fence a bucket by locking its row.
CREATE TABLE "owned_buckets" (
    "bucket" SMALLINT NOT NULL,
    "map_version" INTEGER NOT NULL,
    CONSTRAINT "owned_buckets_pkey" PRIMARY KEY ("bucket")
);

-- Which shard this database is: catches a shard list given in the wrong order.
CREATE TABLE "shard_identity" (
    "shard" SMALLINT NOT NULL,
    CONSTRAINT "shard_identity_pkey" PRIMARY KEY ("shard")
);
