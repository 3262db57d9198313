/**
 * order-service's activities: validation, which answers with the order's
 * snapshot that every later step takes (so nothing re-reads the order), the
 * last step, and the order's cancelled end state.
 */
import { timestampDate } from '@bufbuild/protobuf/wkt';
import type { Address, Money } from '@oms/contracts/common/v1';
import { sagaMoves } from '@oms/contracts/order-lifecycle';
import { businessErrors } from '@oms/contracts/workflows';
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityDeps, SharedCalls } from '.';
import { key, signal } from './calls';
import { refusalsAs } from './errors';

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

/** Refuses (for good) an order whose total is above the fraud review limit. */
export function checkReviewLimit(total: Money, limit = 100_000_00n): void {
  if (total.amountMinor > limit) {
    throw ApplicationFailure.nonRetryable(`order total ${total.amountMinor} exceeds the review limit ${limit}`, businessErrors.fraudSuspected);
  }
}

export function orderActivities({ order, fraudReviewLimitMinor }: Pick<ActivityDeps, 'order' | 'fraudReviewLimitMinor'>, { status, compensate }: SharedCalls) {
  return {
    /** Moves the order to VALIDATED, refuses a total above the fraud review limit, and answers with the snapshot. */
    async validateOrder(orderId: string): Promise<OrderSnapshot> {
      const { order: validated, shippingAddress } = await refusalsAs(
        businessErrors.invalidOrder,
        order.validateOrder({ orderId, idempotencyKey: key('validate') }, signal()),
      );
      const { customerId, items, total, createdAt } = validated!;
      checkReviewLimit(total!, fraudReviewLimitMinor);
      return {
        orderId,
        customerId,
        createdAtMs: timestampDate(createdAt!).getTime(),
        lines: items.map(({ sku, quantity }) => ({ sku, quantity })),
        total: { amountMinor: total!.amountMinor.toString(), currency: total!.currency },
        shipTo: shippingAddress && plainAddress(shippingAddress),
      };
    },

    /** The last step, a local activity: the order is COMPLETED. */
    completeOrder: (orderId: string) => status.move(orderId, sagaMoves.complete),

    markCancelling: (orderId: string) => compensate('mark cancelling', () => status.moveTo(orderId, 'CANCELLING', 'saga: compensating', 'status-CANCELLING')),

    markCancelled: (orderId: string, reason: string) => compensate('mark cancelled', () => status.moveTo(orderId, 'CANCELLED', reason, 'status-CANCELLED')),
  };
}
