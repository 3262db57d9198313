-- Reverts customer_id_bigint: customer ids back to TEXT, each as its decimal digits.
ALTER TABLE "payments" ALTER COLUMN "customer_id" SET DATA TYPE TEXT USING "customer_id"::TEXT;
