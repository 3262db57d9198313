-- Splits customers.name into first_name (up to the first space) and last_name
-- (after it; NULL for a name without a space). The split keeps every
-- character, so down.sql restores each name exactly.
ALTER TABLE "customers" ADD COLUMN "first_name" TEXT, ADD COLUMN "last_name" TEXT;

UPDATE "customers"
SET "first_name" = split_part("name", ' ', 1),
    "last_name" = CASE WHEN strpos("name", ' ') > 0 THEN substr("name", strpos("name", ' ') + 1) END;

ALTER TABLE "customers" ALTER COLUMN "first_name" SET NOT NULL, DROP COLUMN "name";
