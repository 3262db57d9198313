-- The shared idempotency_keys model (libs/db) gained order-service's bucket
-- column, which moves a key with its customer's bucket between order shards.
-- Unused here (always null): kept so that every service has the model's table.
-- Nullable with no default, so adding it rewrites nothing.
ALTER TABLE "idempotency_keys" ADD COLUMN "bucket" SMALLINT;

CREATE INDEX "idempotency_keys_bucket_idx" ON "idempotency_keys" ("bucket");
