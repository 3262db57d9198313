-- The payment token an order was placed with, so that the orchestrator's orphan reconciler can start
-- the saga of an order whose start was lost (docs/orchestrator.md). Nullable: orders placed before,
-- and by callers that send none, have none. Adding a nullable column without a default is instant.
ALTER TABLE "orders" ADD COLUMN "payment_token" TEXT;
