-- Order ids are BIGINT in every database, as in oms_order where they are made
-- (they were TEXT here). Every stored id is one of oms_order's, so each casts;
-- the type change rewrites the tables and rebuilds their indexes.
ALTER TABLE "payments" ALTER COLUMN "order_id" SET DATA TYPE BIGINT USING "order_id"::BIGINT;
ALTER TABLE "payment_orders" ALTER COLUMN "order_id" SET DATA TYPE BIGINT USING "order_id"::BIGINT;
