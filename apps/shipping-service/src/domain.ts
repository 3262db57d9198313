/** Shipping rules, free of I/O. */
import type { CancelShipmentRequest, CreateShipmentRequest } from '@oms/contracts/shipping/v1';
import { refuse, type Refusal } from '@oms/db';
import { checkAddress, checkLines, Violations } from '@oms/platform';
import type { ShipmentStatus } from './generated/prisma/enums';

const maxReason = 500;

export function validateCreateShipment(req: CreateShipmentRequest): void {
  const v = new Violations();
  v.required(req.orderId, 'order_id');
  checkAddress(v, req.address, 'address');
  checkLines(v, req.lines);
  v.throwIfAny();
}

export function validateCancelShipment(req: CancelShipmentRequest): void {
  const v = new Violations();
  v.required(req.orderId, 'order_id');
  v.check(req.reason.length <= maxReason, 'reason', `must be at most ${maxReason} characters`);
  v.throwIfAny();
}

export function validateOrderId(orderId: string): void {
  new Violations().required(orderId, 'order_id').throwIfAny();
}

/** One shipment per order, and none after the order's shipment was cancelled. */
export function creationRefusal(orderId: string, existing: ShipmentStatus): Refusal {
  return existing === 'CANCELLED'
    ? refuse(`order ${orderId}: its shipment was cancelled`)
    : refuse(`order ${orderId} already has a shipment`);
}

/** A delivered parcel cannot be called back. */
export function cancellationRefusal(orderId: string, status: ShipmentStatus): Refusal | undefined {
  return status === 'DELIVERED' ? refuse(`order ${orderId}: its shipment was already delivered`) : undefined;
}

/** Only a shipment the carrier confirmed can arrive. */
export function deliveryRefusal(orderId: string, status: ShipmentStatus): Refusal | undefined {
  if (status === 'PENDING') return refuse(`order ${orderId}: its shipment is not yet confirmed by the carrier`);
  if (status === 'CANCELLED') return refuse(`order ${orderId}: its shipment was cancelled`);
  return undefined;
}
