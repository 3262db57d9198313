/**
 * The card provider as payment-service needs it. The simulator stands behind
 * it today; a real provider's client would implement the same two calls.
 * Both are idempotent on `key`, like Stripe's, so a retried call never
 * charges or refunds twice.
 */

export interface ProviderCharge {
  /** Our idempotency key for this charge at the provider. */
  key: string;
  token: string;
  amountMinor: bigint;
  currency: string;
}

export type ChargeOutcome = { chargeId: string; approved: true } | { chargeId: string; approved: false; declineReason: string };

export interface ProviderRefund {
  key: string;
  chargeId: string;
  amountMinor: bigint;
}

export interface CardProvider {
  /** A decline is an answer, not an error. */
  charge(request: ProviderCharge): Promise<ChargeOutcome>;
  /** Returns the provider's refund id; the same key returns the same refund. */
  refund(request: ProviderRefund): Promise<string>;
}

/** A provider failure that a retry may outlive; any other error is the provider's refusal. */
export class ProviderUnavailable extends Error {}
