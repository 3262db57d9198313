/**
 * The carrier as shipping-service needs it. The simulator stands behind it
 * today; a real carrier's client would answer the same questions from its API.
 */
import type { Address } from '@oms/contracts/common/v1';
import type { Refusal } from '@oms/db';

/** What the carrier knows of a shipment booked with it. */
export interface Booking {
  id: bigint;
  confirmDueAt: Date | null;
}

export interface Confirmation {
  trackingNumber: string;
  confirmedAt: Date;
}

export interface Carrier {
  /** Why the carrier will not take a parcel to this address, or nothing when it will. */
  refusal(address: Address): Refusal | undefined;
  /** When the carrier promises to confirm a shipment booked at `createdAt`. */
  confirmDueAt(createdAt: Date): Date;
  /** The carrier's confirmation of a booking, or nothing while it has not confirmed; every caller gets the same one. */
  confirmation(booking: Booking, now?: Date): Confirmation | undefined;
}
