// The simulated carrier, inside shipping-service.
//
// Confirms a shipment SHIPPING_CARRIER_CONFIRM_MS (default 2000) after it was
// created and gives it a tracking number. There are no timers, so a restart
// loses nothing: a shipment stores confirm_due_at, and the first read of a
// PENDING shipment past that time (GetShipment, or a mutation that locks it)
// confirms it with a conditional UPDATE ... WHERE status = 'PENDING', so
// concurrent readers agree on one tracking number (ShippingStore.confirmIfDue).
//
// Refuses addresses it cannot serve: postal_code "00000" is FAILED_PRECONDITION
// "carrier cannot deliver to postal code 00000", which lets the saga tests make
// shipping fail on purpose.
import { randomBytes } from 'node:crypto';
import type { Address } from '@oms/contracts/common/v1';
import { refuse, type Refusal } from '@oms/db';

const unservedPostalCodes = new Set(['00000']);

export class Carrier {
  constructor(private readonly confirmMs: number) {}

  /** Why the carrier will not take a parcel to this address, or nothing when it will. */
  refusal(address: Address): Refusal | undefined {
    return unservedPostalCodes.has(address.postalCode)
      ? refuse(`carrier cannot deliver to postal code ${address.postalCode}`)
      : undefined;
  }

  confirmDueAt(createdAt: Date): Date {
    return new Date(createdAt.getTime() + this.confirmMs);
  }

  /** Random, so two readers racing to confirm would pick different numbers; only one UPDATE wins. */
  trackingNumber(): string {
    return `SIM${randomBytes(8).toString('hex').toUpperCase()}`;
  }
}
