-- Stock short at reservation: the saga waits for the customer to amend the order or cancel it.
-- ADD VALUE runs inside the migration's transaction (Postgres 12 and later allow it there);
-- the value cannot be used before that transaction commits, and nothing below uses it.
ALTER TYPE "order_status" ADD VALUE 'AWAITING_CUSTOMER';

-- While AWAITING_CUSTOMER (null otherwise): the lines the stock cannot cover,
-- [{"sku", "requested", "available"}]; order-service clears it when the order moves on.
ALTER TABLE "orders" ADD COLUMN "shortfall" JSONB;
