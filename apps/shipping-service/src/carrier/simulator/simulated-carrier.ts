/**
 * The simulated carrier, inside shipping-service.
 *
 * Confirms a shipment SHIPPING_CARRIER_CONFIRM_MS (default 2000) after it was
 * booked, at the due time stored with the shipment, so every instance agrees
 * whatever its own setting. It needs no timers and keeps no state: a restart
 * loses nothing. The tracking number is derived from the shipment's id, so
 * every reader sees the same one before the service records it.
 *
 * Refuses addresses it cannot serve: postal_code "00000" is FAILED_PRECONDITION
 * "carrier cannot deliver to postal code 00000", which lets the saga tests make
 * shipping fail on purpose.
 */
import { createHash } from 'node:crypto';
import type { Address } from '@oms/contracts/common/v1';
import { refuse, type Refusal } from '@oms/db';
import type { Booking, Carrier, Confirmation } from '../carrier';

const unservedPostalCodes = new Set(['00000']);

export class SimulatedCarrier implements Carrier {
  constructor(private readonly confirmMs: number) {}

  refusal(address: Address): Refusal | undefined {
    return unservedPostalCodes.has(address.postalCode) ? refuse(`carrier cannot deliver to postal code ${address.postalCode}`) : undefined;
  }

  confirmDueAt(createdAt: Date): Date {
    return new Date(createdAt.getTime() + this.confirmMs);
  }

  confirmation({ id, confirmDueAt }: Booking, now = new Date()): Confirmation | undefined {
    if (!confirmDueAt || confirmDueAt > now) return undefined;
    return { trackingNumber: trackingNumber(id), confirmedAt: confirmDueAt };
  }
}

/** SIM and 16 hex digits; a hash, so that numbers look unrelated although ids are sequential. */
function trackingNumber(shipmentId: bigint): string {
  return `SIM${createHash('sha256').update(`shipment:${shipmentId}`).digest('hex').slice(0, 16).toUpperCase()}`;
}
