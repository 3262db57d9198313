/**
 * shipping-service's activities: arrange the shipment and wait for the
 * carrier's confirmation, cancel it, and record the delivery.
 */
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { ShipmentStatus, type Shipment } from '@oms/contracts/shipping/v1';
import { businessErrors } from '@oms/contracts/workflows';
import { Context } from '@temporalio/activity';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import type { ActivityDeps, SharedCalls } from '.';
import { key, signal } from './calls';
import { refusalsAs } from './errors';
import type { OrderSnapshot } from './order';

const confirmDueMs = (shipment: Shipment) => (shipment.confirmDueAt ? timestampDate(shipment.confirmDueAt).getTime() : Date.now());

/** The carrier has not confirmed yet: come back when it says it will (retries add no history events). */
function carrierPending(shipment: Shipment): ApplicationFailure {
  return ApplicationFailure.create({
    type: 'CarrierPending',
    message: `shipment ${shipment.id} is waiting for the carrier's confirmation`,
    nextRetryDelay: Math.max(confirmDueMs(shipment) - Date.now(), 0) + 10,
    category: ApplicationFailureCategory.BENIGN,
  });
}

/** A confirmation promised this soon is waited for inside the attempt (well within its 1-minute timeout). */
const heldWaitMs = 10_000;

/** The tracking number once the carrier has confirmed (or delivered); undefined while it has not; a cancelled shipment is refused for good. */
export function confirmation(orderId: string, shipment: Shipment): { trackingNumber: string } | undefined {
  switch (shipment.status) {
    case ShipmentStatus.CONFIRMED:
    case ShipmentStatus.DELIVERED:
      return { trackingNumber: shipment.trackingNumber };
    case ShipmentStatus.CANCELLED:
      throw ApplicationFailure.nonRetryable(`shipment for order ${orderId} was cancelled`, businessErrors.shippingRefused);
    default:
      return undefined;
  }
}

export function shippingActivities({ shipping }: Pick<ActivityDeps, 'shipping'>, { status, compensate }: SharedCalls) {
  return {
    /**
     * Creates the shipment and returns once the carrier has confirmed it. A
     * confirmation due within seconds is waited for in the attempt; a later
     * one (or a carrier late on its promise) fails the attempt as benign, and
     * Temporal retries at the promised time. However long the carrier takes,
     * the wait costs no history events and no polling loop.
     */
    async ship({ orderId, lines, shipTo }: OrderSnapshot): Promise<{ trackingNumber: string }> {
      let { shipment } = await refusalsAs(
        businessErrors.shippingRefused,
        shipping.createShipment({ orderId, address: shipTo, lines, idempotencyKey: key('ship') }, signal()),
      );
      // A retry is answered with the first (PENDING) shipment too: then ask for it as it is now.
      if (shipment!.status === ShipmentStatus.PENDING) {
        const waitMs = confirmDueMs(shipment!) - Date.now();
        if (waitMs > heldWaitMs) throw carrierPending(shipment!);
        if (waitMs > 0) await Context.current().sleep(waitMs);
        ({ shipment } = await shipping.getShipment({ orderId }, signal()));
      }
      const confirmed = confirmation(orderId, shipment!);
      if (!confirmed) throw carrierPending(shipment!);
      return confirmed;
    },

    cancelShipment: (orderId: string) =>
      compensate('cancel shipment', () => shipping.cancelShipment({ orderId, reason: 'order cancelled', idempotencyKey: key('cancel-shipment') }, signal())),

    async markDelivered(orderId: string): Promise<void> {
      await shipping.markDelivered({ orderId, idempotencyKey: key('delivered') }, signal());
      await status.moveTo(orderId, 'DELIVERED', 'carrier confirmed delivery', 'status-DELIVERED');
    },
  };
}
