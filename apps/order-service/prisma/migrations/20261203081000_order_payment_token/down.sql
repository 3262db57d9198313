ALTER TABLE "orders" DROP COLUMN "payment_token";
