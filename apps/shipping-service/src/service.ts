/** The ShippingService RPC handlers (requests arrive validated against the contract): run in the store, map to the wire. */
import { create, type DescMessage, type DescMethodUnary, type MessageShape } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { ServiceImpl } from '@connectrpc/connect';
import { AddressSchema, LineSchema } from '@oms/contracts/common/v1';
import {
  CancelShipmentResponseSchema,
  CreateShipmentResponseSchema,
  MarkDeliveredResponseSchema,
  ShipmentSchema,
  ShipmentStatus,
  ShippingService,
  type Shipment,
} from '@oms/contracts/shipping/v1';
import { Refusal, type IdempotentCall } from '@oms/db';
import { notFound } from '@oms/platform';
import type { Prisma } from './generated/prisma/client';
import type { ShippingMetrics } from './metrics';
import type { Change, ShipmentEvent, ShipmentRow, ShippingStore } from './store';

const timestamp = (date: Date | null) => (date ? timestampFromDate(date) : undefined);

function toShipment(row: ShipmentRow): Shipment {
  return create(ShipmentSchema, {
    id: row.id.toString(),
    orderId: row.orderId.toString(),
    status: ShipmentStatus[row.status],
    // A cancellation fence has no address (the CHECK constraints keep the columns all set or all null).
    address:
      row.recipientName === null
        ? undefined
        : create(AddressSchema, {
            name: row.recipientName,
            line1: row.line1!,
            line2: row.line2!,
            city: row.city!,
            postalCode: row.postalCode!,
            country: row.country!,
          }),
    lines: row.lines.map((l) => create(LineSchema, { sku: l.sku, quantity: l.quantity })),
    trackingNumber: row.trackingNumber ?? '',
    createdAt: timestampFromDate(row.createdAt),
    confirmedAt: timestamp(row.confirmedAt),
    deliveredAt: timestamp(row.deliveredAt),
    cancelledAt: timestamp(row.cancelledAt),
    confirmDueAt: row.status === 'PENDING' ? timestamp(row.confirmDueAt) : undefined,
  });
}

export function createShippingService(store: ShippingStore, metrics: ShippingMetrics): ServiceImpl<typeof ShippingService> {
  /**
   * Runs a mutation once per idempotency key and answers with its shipment
   * (none is NOT_FOUND). The event is counted after the transaction has
   * committed, so a replay (which skips the work) or a rollback counts nothing.
   */
  async function mutate<Req extends DescMessage, Res extends DescMessage>(
    method: DescMethodUnary<Req, Res>,
    req: IdempotentCall<Req, Res>['request'] & { orderId: string },
    work: (tx: Prisma.TransactionClient) => Promise<Change | Refusal | null>,
    respond: (shipment: Shipment) => MessageShape<Res>,
  ): Promise<MessageShape<Res>> {
    let event: ShipmentEvent | undefined;
    const response = await store.transact(method, req, async (tx) => {
      const change = await work(tx);
      if (change === null) throw notFound(`shipment for order ${req.orderId}`);
      if (change instanceof Refusal) return change;
      event = change.event;
      return respond(toShipment(change.shipment));
    });
    if (event) metrics.shipments.inc({ event });
    return response;
  }

  return {
    async createShipment(req) {
      return mutate(
        ShippingService.method.createShipment,
        req,
        (tx) => store.create(tx, req.orderId, req.address!, req.lines),
        (shipment) => create(CreateShipmentResponseSchema, { shipment }),
      );
    },

    async cancelShipment(req) {
      return mutate(
        ShippingService.method.cancelShipment,
        req,
        (tx) => store.cancel(tx, req.orderId, req.reason),
        (shipment) => create(CancelShipmentResponseSchema, { shipment }),
      );
    },

    async markDelivered(req) {
      return mutate(
        ShippingService.method.markDelivered,
        req,
        (tx) => store.deliver(tx, req.orderId),
        (shipment) => create(MarkDeliveredResponseSchema, { shipment }),
      );
    },

    async getShipment({ orderId }) {
      const row = await store.getShipment(orderId);
      if (!row) throw notFound(`shipment for order ${orderId}`);
      return { shipment: toShipment(row) };
    },
  };
}
