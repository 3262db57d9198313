-- Reverts init: drops everything it created (its data with it).
DROP TABLE "idempotency_keys", "provider_refunds", "provider_charges", "payment_orders", "refunds", "payments";
DROP TYPE "provider_charge_status", "payment_status";
