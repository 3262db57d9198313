-- Reverts init: drops everything it created (its data with it).
DROP TABLE "idempotency_keys", "reservation_lines", "reservations", "stock_adjustments", "products";
DROP TYPE "reservation_status";
