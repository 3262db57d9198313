DROP INDEX "idempotency_keys_bucket_idx";
ALTER TABLE "idempotency_keys" DROP COLUMN "bucket";
