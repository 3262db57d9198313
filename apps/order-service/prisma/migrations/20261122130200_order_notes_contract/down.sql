-- Brings cancel_reason back, filled from notes, for code of the expand
-- release (which reads notes first anyway).
ALTER TABLE "orders" ADD COLUMN "cancel_reason" TEXT;
UPDATE "orders" SET "cancel_reason" = "notes" WHERE "status" = 'CANCELLED';
