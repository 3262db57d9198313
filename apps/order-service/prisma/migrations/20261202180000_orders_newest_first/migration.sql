-- ListAllOrders (the back office's every-customer list, per shard): newest first by (created_at, id).
-- Without it each page sorts the whole table; with a status filter, (status, created_at) already serves.
-- CONCURRENTLY, alone in its migration, so a busy orders table is not locked against writes (docs/migrations.md).
CREATE INDEX CONCURRENTLY "orders_created_at_id_idx" ON "orders"("created_at" DESC, "id" DESC);
