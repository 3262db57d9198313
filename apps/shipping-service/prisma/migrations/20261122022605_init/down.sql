-- Reverts init: drops everything it created (its data with it).
DROP TABLE "idempotency_keys", "shipment_lines", "shipments";
DROP TYPE "shipment_status";
