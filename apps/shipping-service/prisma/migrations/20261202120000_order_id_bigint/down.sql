-- Reverts order_id_bigint: order ids back to TEXT, each as its decimal digits.
ALTER TABLE "shipments" ALTER COLUMN "order_id" SET DATA TYPE TEXT USING "order_id"::TEXT;
