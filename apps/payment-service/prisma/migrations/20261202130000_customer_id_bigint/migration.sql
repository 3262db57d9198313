-- Customer ids are BIGINT in every database, as in oms_order where they are
-- made (payments.customer_id was TEXT). Every stored id is one of oms_order's,
-- so each casts; the type change rewrites the table.
ALTER TABLE "payments" ALTER COLUMN "customer_id" SET DATA TYPE BIGINT USING "customer_id"::BIGINT;
