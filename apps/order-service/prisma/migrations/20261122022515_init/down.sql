-- Reverts init: drops everything it created (its data with it).
DROP TABLE "idempotency_keys", "order_status_history", "order_items", "orders", "customers";
DROP TYPE "order_status";
