-- Expand: orders.notes, the customer-facing notes on an order, replaces
-- cancel_reason (docs/migrations.md). Nullable and without a default, so
-- adding it takes no table rewrite; code of this release writes both columns
-- and reads notes, falling back to cancel_reason for rows not yet backfilled.
ALTER TABLE "orders" ADD COLUMN "notes" TEXT;
