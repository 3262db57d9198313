-- Brings cancel_reason back, filled from notes, with its CHECK, for code of
-- the expand release (which reads notes first anyway).
ALTER TABLE "orders" DROP CONSTRAINT "orders_cancelled_with_notes";
ALTER TABLE "orders" ADD COLUMN "cancel_reason" TEXT;
UPDATE "orders" SET "cancel_reason" = "notes" WHERE "status" = 'CANCELLED';
ALTER TABLE "orders" ADD CONSTRAINT "orders_cancelled_with_reason" CHECK ("status" <> 'CANCELLED' OR "cancel_reason" IS NOT NULL);
