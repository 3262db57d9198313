-- Order ids are BIGINT in every database, as in oms_order where they are made
-- (they were TEXT here). Every stored id is one of oms_order's, so each casts;
-- the type change rewrites the table and rebuilds its indexes.
ALTER TABLE "shipments" ALTER COLUMN "order_id" SET DATA TYPE BIGINT USING "order_id"::BIGINT;
