/** Payment rules, free of I/O. */
import type { Money } from '@oms/contracts/common/v1';
import { refuse, type Refusal } from '@oms/db';

export const cancelledOrder = (orderId: string): Refusal => refuse(`order ${orderId} was cancelled; it cannot be charged`);

export type PaymentStatus = 'SUCCEEDED' | 'DECLINED' | 'PARTIALLY_REFUNDED' | 'REFUNDED';

interface Refundable {
  id: bigint;
  status: PaymentStatus;
  amountMinor: bigint;
  refundedMinor: bigint;
  currency: string;
}

const formatMoney = (amountMinor: bigint, currency: string) => `${amountMinor} ${currency}`;

/** What is left to refund of a payment (nothing of a declined one). */
export const refundable = (p: Refundable): bigint => (p.status === 'DECLINED' ? 0n : p.amountMinor - p.refundedMinor);

/** Why this amount cannot be refunded from the payment, or nothing when it can. */
export function refundRefusal(payment: Refundable, amount: Money): Refusal | undefined {
  if (payment.status === 'DECLINED') return refuse(`payment ${payment.id} was declined; there is nothing to refund`);
  if (payment.status === 'REFUNDED') return refuse(`payment ${payment.id} is already fully refunded`);
  if (amount.currency !== payment.currency) {
    return refuse(`amount.currency: ${amount.currency} does not match the payment's currency ${payment.currency}`);
  }
  const left = refundable(payment);
  if (amount.amountMinor > left) {
    return refuse(`refund of ${formatMoney(amount.amountMinor, amount.currency)} exceeds the ${formatMoney(left, payment.currency)} left`);
  }
  return undefined;
}

/** The status once `refundedMinor` of the payment has been refunded. */
export const statusAfterRefund = (amountMinor: bigint, refundedMinor: bigint): PaymentStatus =>
  refundedMinor >= amountMinor ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
