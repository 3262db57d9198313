/** Shipping rules, free of I/O. */
import { refuse, type Refusal } from '@oms/db';
import type { ShipmentStatus } from './generated/prisma/enums';

/** One shipment per order, and none after the order's shipment was cancelled. */
export function creationRefusal(orderId: string, existing: ShipmentStatus): Refusal {
  return existing === 'CANCELLED' ? refuse(`order ${orderId}: its shipment was cancelled`) : refuse(`order ${orderId} already has a shipment`);
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
