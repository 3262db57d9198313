CREATE OR REPLACE FUNCTION new_row_id(bucket SMALLINT) RETURNS BIGINT LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
  SELECT (1::bigint << 62)
    | ((floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint - 1767225600000) << 20)
    | (floor(random() * 1024)::bigint << 10)
    | bucket
$$;
DROP SEQUENCE "row_id_seq";

-- Ids from a sequence again, in the order the changes happened.
ALTER TABLE "order_status_history" DROP CONSTRAINT "order_status_history_pkey";
ALTER TABLE "order_status_history" ADD COLUMN "id" BIGINT;
UPDATE "order_status_history" h SET "id" = n."id"
FROM (SELECT "order_id", "seq", row_number() OVER (ORDER BY "changed_at", "order_id", "seq") AS "id" FROM "order_status_history") n
WHERE n."order_id" = h."order_id" AND n."seq" = h."seq";
CREATE SEQUENCE "order_status_history_id_seq" OWNED BY "order_status_history"."id";
SELECT setval('order_status_history_id_seq', coalesce((SELECT max("id") FROM "order_status_history"), 0) + 1, false);
ALTER TABLE "order_status_history" ALTER COLUMN "id" SET DEFAULT nextval('order_status_history_id_seq');
ALTER TABLE "order_status_history" ALTER COLUMN "id" SET NOT NULL;
ALTER TABLE "order_status_history" ADD CONSTRAINT "order_status_history_pkey" PRIMARY KEY ("id");
ALTER TABLE "order_status_history" DROP COLUMN "seq";
CREATE INDEX "order_status_history_order_id_id_idx" ON "order_status_history"("order_id", "id");
