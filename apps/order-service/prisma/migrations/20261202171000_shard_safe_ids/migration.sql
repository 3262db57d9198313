-- Status history rows are numbered within their order (1, 2, ...) instead of by a
-- sequence: each shard has its own sequence, so ids copied along with a moving
-- bucket would collide with the ones the target shard hands out.
ALTER TABLE "order_status_history" ADD COLUMN "seq" INTEGER;
UPDATE "order_status_history" h SET "seq" = n."seq"
FROM (SELECT "id", row_number() OVER (PARTITION BY "order_id" ORDER BY "id") AS "seq" FROM "order_status_history") n
WHERE n."id" = h."id";
ALTER TABLE "order_status_history" ALTER COLUMN "seq" SET NOT NULL;
ALTER TABLE "order_status_history" DROP CONSTRAINT "order_status_history_pkey";
DROP INDEX "order_status_history_order_id_id_idx";
ALTER TABLE "order_status_history" DROP COLUMN "id";
ALTER TABLE "order_status_history" ADD CONSTRAINT "order_status_history_pkey" PRIMARY KEY ("order_id", "seq");

-- new_row_id took its middle 10 bits at random, so one statement making thousands
-- of ids (an import chunk) could make the same id twice within a millisecond: they
-- come from a cycling sequence instead, distinct for 1,024 ids in a row.
CREATE SEQUENCE "row_id_seq" MINVALUE 0 MAXVALUE 1023 START 0 CYCLE;
CREATE OR REPLACE FUNCTION new_row_id(bucket SMALLINT) RETURNS BIGINT LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
  SELECT (1::bigint << 62)
    | ((floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint - 1767225600000) << 20)
    | (nextval('row_id_seq') << 10)
    | bucket
$$;
