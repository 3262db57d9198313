/**
 * order-service's activities: validation, which answers with the order's
 * snapshot that every later step takes (so nothing re-reads the order), the
 * customer's part when stock is short (asking, amending), the last step, and
 * the order's cancelled end state.
 */
import { timestampDate } from '@bufbuild/protobuf/wkt';
import type { Address, Money } from '@oms/contracts/common/v1';
import { sagaMoves } from '@oms/contracts/order-lifecycle';
import { OrderStatus, type Order } from '@oms/contracts/order/v1';
import { businessErrors, type AmendedOrder, type OrderLine, type StockShortfall } from '@oms/contracts/workflows';
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityDeps, SharedCalls } from '.';
import { key, signal } from './calls';
import { refusalsAs } from './errors';

/** The order as validation found it; it does not change afterwards. Amounts are strings (JSON has no int64). */
export interface OrderSnapshot {
  orderId: string;
  customerId: string;
  createdAtMs: number;
  lines: OrderLine[];
  total: { amountMinor: string; currency: string };
  shipTo?: ReturnType<typeof plainAddress>;
  /** How many times the customer amended the order (absent: never); the amended lines' reservation is keyed by it. */
  amendment?: number;
  /** Set when these lines are reserved once more because the stock came back after a refusal: that try has a key of its own. */
  reserveAgain?: boolean;
}

const plainAddress = ({ name, line1, line2, city, postalCode, country }: Address) => ({ name, line1, line2, city, postalCode, country });

const linesAndTotal = ({ items, total }: Order): AmendedOrder => ({
  lines: items.map(({ sku, quantity }) => ({ sku, quantity })),
  total: { amountMinor: total!.amountMinor.toString(), currency: total!.currency },
});

/** Lines named in a status reason at most: it is kept to 500 characters. */
const reasonLines = 5;

/** "out of stock: MUG (1 of 3 available), PEN (0 of 2 available)". */
export function shortfallReason(shortfall: StockShortfall[]): string {
  const named = shortfall.slice(0, reasonLines).map(({ sku, requested, available }) => `${sku} (${available} of ${requested} available)`);
  const more = shortfall.length - named.length;
  return `out of stock: ${named.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

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
      const { customerId, total, createdAt } = validated!;
      checkReviewLimit(total!, fraudReviewLimitMinor);
      return {
        orderId,
        customerId,
        createdAtMs: timestampDate(createdAt!).getTime(),
        ...linesAndTotal(validated!),
        shipTo: shippingAddress && plainAddress(shippingAddress),
      };
    },

    /** Moves the order VALIDATED -> AWAITING_CUSTOMER with what the stock cannot cover (once per amendment of the order). */
    async askCustomer({ orderId, amendment = 0 }: OrderSnapshot, shortfall: StockShortfall[]): Promise<void> {
      const request = {
        orderId,
        expectedStatus: OrderStatus.VALIDATED,
        newStatus: OrderStatus.AWAITING_CUSTOMER,
        reason: shortfallReason(shortfall),
        shortfall,
        idempotencyKey: key(`status-AWAITING_CUSTOMER-${amendment}`),
      };
      await refusalsAs(businessErrors.invalidOrder, order.updateOrderStatus(request, signal()));
    },

    /** The customer's amendment (back to VALIDATED); keyed by the update, so a retry replays it. A refusal is the customer's to read. */
    async amendOrder(orderId: string, lines: OrderLine[], updateId: string): Promise<AmendedOrder> {
      const { order: amended } = await refusalsAs(
        businessErrors.amendRefused,
        order.amendOrder({ orderId, lines, idempotencyKey: key(`amend-${updateId}`) }, signal()),
      );
      return linesAndTotal(amended!);
    },

    /** The last step, a local activity: the order is COMPLETED. */
    completeOrder: (orderId: string) => status.move(orderId, sagaMoves.complete),

    markCancelling: (orderId: string) => compensate('mark cancelling', () => status.moveTo(orderId, 'CANCELLING', 'saga: compensating', 'status-CANCELLING')),

    markCancelled: (orderId: string, reason: string) => compensate('mark cancelled', () => status.moveTo(orderId, 'CANCELLED', reason, 'status-CANCELLED')),
  };
}
