ALTER TABLE "idempotency_keys" DROP COLUMN "error_details";
