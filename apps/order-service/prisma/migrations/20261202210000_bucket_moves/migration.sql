-- Moving a bucket to another shard (src/shards/moves.ts) moves its idempotency
-- keys with it, so that a retry after the move replays instead of acting twice.
-- The column is order-service's own (the model in libs/db is every service's):
-- OrderStore.transactIn sets it in the statement that guards the bucket.
ALTER TABLE "idempotency_keys" ADD COLUMN "bucket" SMALLINT;

-- Keys written before: the bucket of the order or customer their outcome names.
-- A refusal names neither and keeps no bucket: it stays on its shard.
UPDATE "idempotency_keys" k SET "bucket" = o."bucket"
FROM "orders" o
WHERE k."response" ? 'order' AND o."id" = (k."response" -> 'order' ->> 'id')::BIGINT;

UPDATE "idempotency_keys" k SET "bucket" = c."bucket"
FROM "customers" c
WHERE k."bucket" IS NULL AND k."response" ? 'customer' AND c."id" = (k."response" -> 'customer' ->> 'id')::BIGINT;

CREATE INDEX "idempotency_keys_bucket_idx" ON "idempotency_keys" ("bucket");

-- The two-phase commit's decision record (read on shard 0, the catalog):
-- one row per cut-over attempt, written before any COMMIT PREPARED. Recovery
-- commits the prepared transactions of an attempt decided 'commit' and rolls
-- back every other, writing 'abort' first so that a late coordinator cannot
-- decide 'commit' after it.
CREATE TABLE "bucket_move_decisions" (
    "txn" TEXT NOT NULL,
    "decision" TEXT NOT NULL,
    "decided_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "bucket_move_decisions_pkey" PRIMARY KEY ("txn"),
    CONSTRAINT "bucket_move_decisions_decision_check" CHECK ("decision" IN ('commit', 'abort'))
);
