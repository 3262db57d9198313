/**
 * The saga's forward steps (OrderWorkflow since `saga-v2`). Validation
 * answers with the order's snapshot, which every later step takes as input,
 * so nothing re-reads the order; each step also moves the order's status,
 * in the same activity, instead of a round trip of its own.
 */
import { timestampDate } from '@bufbuild/protobuf/wkt';
import type { Address } from '@oms/contracts/common/v1';
import { sagaMoves } from '@oms/contracts/order-lifecycle';
import { ShipmentStatus, type Shipment } from '@oms/contracts/shipping/v1';
import { businessErrors } from '@oms/contracts/workflows';
import { Context } from '@temporalio/activity';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import type { ActivityDeps } from '.';
import { key, orderStatus, signal } from './calls';
import { refusalsAs, stockDetails } from './errors';

/** The order as validation found it; it does not change afterwards. Amounts are strings (JSON has no int64). */
export interface OrderSnapshot {
  orderId: string;
  customerId: string;
  createdAtMs: number;
  lines: { sku: string; quantity: number }[];
  total: { amountMinor: string; currency: string };
  shipTo?: ReturnType<typeof plainAddress>;
}

const plainAddress = ({ name, line1, line2, city, postalCode, country }: Address) => ({ name, line1, line2, city, postalCode, country });

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

export function sagaActivities(deps: ActivityDeps) {
  const { order, inventory, payment, shipping } = deps;
  const status = orderStatus(order);
  const fraudReviewLimitMinor = deps.fraudReviewLimitMinor ?? 100_000_00n;

  return {
    /** Moves the order to VALIDATED, refuses a total above the fraud review limit, and answers with the snapshot. */
    async validateOrder(orderId: string): Promise<OrderSnapshot> {
      const { order: validated, shippingAddress } = await refusalsAs(
        businessErrors.invalidOrder,
        order.validateOrder({ orderId, idempotencyKey: key('validate') }, signal()),
      );
      const { customerId, items, total, createdAt } = validated!;
      if (total!.amountMinor > fraudReviewLimitMinor) {
        throw ApplicationFailure.nonRetryable(`order total ${total!.amountMinor} exceeds the review limit ${fraudReviewLimitMinor}`, businessErrors.fraudSuspected);
      }
      return {
        orderId,
        customerId,
        createdAtMs: timestampDate(createdAt!).getTime(),
        lines: items.map(({ sku, quantity }) => ({ sku, quantity })),
        total: { amountMinor: total!.amountMinor.toString(), currency: total!.currency },
        shipTo: shippingAddress && plainAddress(shippingAddress),
      };
    },

    async reserve({ orderId, lines }: OrderSnapshot): Promise<void> {
      await refusalsAs(businessErrors.insufficientStock, inventory.reserveStock({ orderId, lines, idempotencyKey: key('reserve') }, signal()), stockDetails);
      await status.move(orderId, sagaMoves['reserve stock']);
    },

    async charge({ orderId, customerId, total }: OrderSnapshot, paymentToken: string): Promise<{ paymentId: string }> {
      const amount = { amountMinor: BigInt(total.amountMinor), currency: total.currency };
      const { payment: charged } = await refusalsAs(
        businessErrors.paymentDeclined,
        payment.charge({ orderId, customerId, amount, paymentToken, idempotencyKey: key('charge') }, signal()),
      );
      await status.move(orderId, sagaMoves['charge payment']);
      return { paymentId: charged!.id };
    },

    async commit(orderId: string): Promise<void> {
      await refusalsAs(businessErrors.invalidOrder, inventory.commitReservation({ orderId, idempotencyKey: key('commit') }, signal()));
      await status.move(orderId, sagaMoves['commit stock']);
    },

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
      switch (shipment!.status) {
        case ShipmentStatus.CONFIRMED:
        case ShipmentStatus.DELIVERED:
          return { trackingNumber: shipment!.trackingNumber };
        case ShipmentStatus.CANCELLED:
          throw ApplicationFailure.nonRetryable(`shipment for order ${orderId} was cancelled`, businessErrors.shippingRefused);
        default:
          throw carrierPending(shipment!);
      }
    },

    /** The last step, a local activity: the order is COMPLETED. */
    completeOrder: (orderId: string) => status.move(orderId, sagaMoves.complete),
  };
}
