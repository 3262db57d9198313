-- Joins first_name and last_name back into name: the exact inverse of the split.
ALTER TABLE "customers" ADD COLUMN "name" TEXT;

UPDATE "customers" SET "name" = "first_name" || coalesce(' ' || "last_name", '');

ALTER TABLE "customers" ALTER COLUMN "name" SET NOT NULL, DROP COLUMN "first_name", DROP COLUMN "last_name";
