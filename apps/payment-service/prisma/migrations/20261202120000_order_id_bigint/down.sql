-- Reverts order_id_bigint: order ids back to TEXT, each as its decimal digits.
ALTER TABLE "payments" ALTER COLUMN "order_id" SET DATA TYPE TEXT USING "order_id"::TEXT;
ALTER TABLE "payment_orders" ALTER COLUMN "order_id" SET DATA TYPE TEXT USING "order_id"::TEXT;
