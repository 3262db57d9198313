-- Postgres cannot drop an enum value: the type is rebuilt without AWAITING_CUSTOMER.
-- An order waiting for its customer goes back to VALIDATED, the status it came from (the
-- code before this migration knows no amendment: its saga reserves the stock again), and
-- history rows that name AWAITING_CUSTOMER name VALIDATED instead, reasons kept (an
-- amendment's says what changed), so every order's history still ends at its status.
-- Stop the sagas waiting for a customer before rolling back: they would find VALIDATED.
UPDATE "orders" SET "status" = 'VALIDATED', "updated_at" = now() WHERE "status" = 'AWAITING_CUSTOMER';
UPDATE "order_status_history" SET "from_status" = 'VALIDATED' WHERE "from_status" = 'AWAITING_CUSTOMER';
UPDATE "order_status_history" SET "to_status" = 'VALIDATED' WHERE "to_status" = 'AWAITING_CUSTOMER';
ALTER TABLE "orders" DROP COLUMN "shortfall";

-- The CHECK names the type: it would not survive the column's change of type, so it is made again.
ALTER TABLE "orders" DROP CONSTRAINT "orders_cancelled_with_notes";
ALTER TYPE "order_status" RENAME TO "order_status_awaiting_customer";
CREATE TYPE "order_status" AS ENUM ('PENDING', 'VALIDATED', 'RESERVED', 'PAID', 'SHIPPING', 'COMPLETED', 'DELIVERED', 'CANCELLING', 'CANCELLED');
ALTER TABLE "orders" ALTER COLUMN "status" TYPE "order_status" USING "status"::text::"order_status";
ALTER TABLE "order_status_history"
  ALTER COLUMN "from_status" TYPE "order_status" USING "from_status"::text::"order_status",
  ALTER COLUMN "to_status" TYPE "order_status" USING "to_status"::text::"order_status";
DROP TYPE "order_status_awaiting_customer";
ALTER TABLE "orders" ADD CONSTRAINT "orders_cancelled_with_notes" CHECK ("status" <> 'CANCELLED' OR "notes" IS NOT NULL);
