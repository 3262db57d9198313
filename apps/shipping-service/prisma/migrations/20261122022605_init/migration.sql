-- CreateEnum
CREATE TYPE "shipment_status" AS ENUM ('PENDING', 'CONFIRMED', 'DELIVERED', 'CANCELLED');

-- CreateTable
CREATE TABLE "shipments" (
    "id" BIGSERIAL NOT NULL,
    "order_id" TEXT NOT NULL,
    "status" "shipment_status" NOT NULL,
    "recipient_name" TEXT,
    "line1" TEXT,
    "line2" TEXT,
    "city" TEXT,
    "postal_code" TEXT,
    "country" CHAR(2),
    "confirm_due_at" TIMESTAMPTZ(3),
    "tracking_number" TEXT,
    "cancel_reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "confirmed_at" TIMESTAMPTZ(3),
    "delivered_at" TIMESTAMPTZ(3),
    "cancelled_at" TIMESTAMPTZ(3),

    CONSTRAINT "shipments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "shipment_lines" (
    "shipment_id" BIGINT NOT NULL,
    "sku" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,

    CONSTRAINT "shipment_lines_pkey" PRIMARY KEY ("shipment_id","sku")
);

-- CreateTable
CREATE TABLE "idempotency_keys" (
    "scope" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "response" JSONB,
    "error_code" INTEGER,
    "error_message" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "idempotency_keys_pkey" PRIMARY KEY ("scope","key")
);

-- CreateIndex
CREATE UNIQUE INDEX "shipments_order_id_key" ON "shipments"("order_id");

-- CreateIndex
CREATE UNIQUE INDEX "shipments_tracking_number_key" ON "shipments"("tracking_number");

-- CreateIndex
CREATE INDEX "idempotency_keys_created_at_idx" ON "idempotency_keys"("created_at");

-- AddForeignKey
ALTER TABLE "shipment_lines" ADD CONSTRAINT "shipment_lines_shipment_id_fkey" FOREIGN KEY ("shipment_id") REFERENCES "shipments"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- What Prisma does not model as CHECK constraints: each timestamp goes with its status, a
-- confirmed shipment has a tracking number, and only a cancellation fence lacks an address.
ALTER TABLE "shipments" ADD CONSTRAINT "shipments_address_complete"
  CHECK (num_nulls("recipient_name", "line1", "line2", "city", "postal_code", "country", "confirm_due_at") IN (0, 7));
ALTER TABLE "shipments" ADD CONSTRAINT "shipments_only_fence_without_address"
  CHECK ("recipient_name" IS NOT NULL OR "status" = 'CANCELLED');
ALTER TABLE "shipments" ADD CONSTRAINT "shipments_confirmation"
  CHECK (("tracking_number" IS NULL) = ("confirmed_at" IS NULL)
    AND ("status" NOT IN ('CONFIRMED', 'DELIVERED') OR "confirmed_at" IS NOT NULL));
ALTER TABLE "shipments" ADD CONSTRAINT "shipments_delivery"
  CHECK (("status" = 'DELIVERED') = ("delivered_at" IS NOT NULL));
ALTER TABLE "shipments" ADD CONSTRAINT "shipments_cancellation"
  CHECK (("status" = 'CANCELLED') = ("cancelled_at" IS NOT NULL AND "cancel_reason" IS NOT NULL));
ALTER TABLE "shipment_lines" ADD CONSTRAINT "shipment_lines_quantity_positive" CHECK ("quantity" > 0);
