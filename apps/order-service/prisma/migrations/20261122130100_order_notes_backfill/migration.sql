-- Backfill: rows written before the expand step get their notes from
-- cancel_reason. Every running replica already writes both columns, so no new
-- row can miss it. (On a table too big for one transaction, run the same
-- UPDATE in batches of ids before deploying this; it then changes nothing.)
UPDATE "orders" SET "notes" = "cancel_reason" WHERE "notes" IS NULL AND "cancel_reason" IS NOT NULL;
