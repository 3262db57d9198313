-- Contract: once no running code reads or writes cancel_reason (the release
-- after the expand step reads and writes notes only), the column goes, and
-- its rule moves to notes: a cancelled order says why. (After the backfill
-- every cancelled order has notes, so the new CHECK holds.)
ALTER TABLE "orders" DROP COLUMN "cancel_reason";
ALTER TABLE "orders" ADD CONSTRAINT "orders_cancelled_with_notes" CHECK ("status" <> 'CANCELLED' OR "notes" IS NOT NULL);
