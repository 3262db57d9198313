-- orders_not_terminal (order-service's metrics) counts the orders still in the saga by age at each scrape:
-- this index lets it read only those (they are few), not the whole table. CONCURRENTLY, alone in its
-- migration, so a busy orders table is not locked against writes while it builds (docs/migrations.md).
CREATE INDEX CONCURRENTLY "orders_status_created_at_idx" ON "orders"("status", "created_at");
