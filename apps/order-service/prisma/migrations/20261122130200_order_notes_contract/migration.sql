-- Contract: once no running code reads or writes cancel_reason (the release
-- after the expand step reads and writes notes only), the column goes.
ALTER TABLE "orders" DROP COLUMN "cancel_reason";
