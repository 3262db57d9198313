-- Back to one database: ids from sequences again, continuing after the largest id made
-- before sharding (ids made since are above 2^62, far from where a sequence reaches).
DROP TABLE "shard_identity";
DROP TABLE "owned_buckets";
DROP TABLE "bucket_map";
DROP TABLE "shard_map_versions";
DROP TABLE "legacy_order_buckets";

CREATE SEQUENCE "orders_id_seq" OWNED BY "orders"."id";
SELECT setval('orders_id_seq', coalesce((SELECT max("id") FROM "orders" WHERE "id" < (1::bigint << 62)), 0) + 1, false);
ALTER TABLE "orders" ALTER COLUMN "id" SET DEFAULT nextval('orders_id_seq');
CREATE SEQUENCE "customers_id_seq" OWNED BY "customers"."id";
SELECT setval('customers_id_seq', coalesce((SELECT max("id") FROM "customers" WHERE "id" < (1::bigint << 62)), 0) + 1, false);
ALTER TABLE "customers" ALTER COLUMN "id" SET DEFAULT nextval('customers_id_seq');

DROP INDEX "orders_bucket_idx";
ALTER TABLE "orders" DROP COLUMN "bucket";
DROP INDEX "customers_bucket_idx";
ALTER TABLE "customers" DROP COLUMN "bucket";
DROP FUNCTION new_row_id(SMALLINT);
DROP FUNCTION customer_bucket(BIGINT);
