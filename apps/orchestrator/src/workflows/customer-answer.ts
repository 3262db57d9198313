/**
 * The customer in the loop (since `awaiting-customer`): when the stock
 * cannot cover the order, it waits AWAITING_CUSTOMER until the customer
 * amends it (the `amendOrder` update), cancels it, or the wait times out.
 */
import {
  amendOrderUpdate,
  businessErrors,
  type AmendedOrder,
  type AmendOrderInput,
  type OrderLine,
  type OrderProgress,
  type StockShortfall,
} from '@oms/contracts/workflows';
import { ActivityFailure, ApplicationFailure, condition, currentUpdateInfo, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities, OrderSnapshot } from '../activities';
import { backoff } from './activity-options';

const defaultWaitMs = 30 * 60 * 1000;

// The customer waits for the update's answer: calls that cannot be made within a minute fail it (the customer may try again).
const customerCalls = proxyActivities<Activities>({ startToCloseTimeout: '20 seconds', scheduleToCloseTimeout: '1 minute', retry: backoff });

const refused = (message: string) => ApplicationFailure.create({ type: businessErrors.amendRefused, message, nonRetryable: true });

/**
 * Why `lines` may not replace the order's lines, in the customer's words;
 * undefined when they may: every line one of the order's, with 1 to its
 * quantity units and no more than the stock has (`shortfall`); a line left
 * out is dropped, but not every line.
 */
export function amendRefusal(order: OrderSnapshot, shortfall: StockShortfall[], lines: OrderLine[]): string | undefined {
  if (!Array.isArray(lines) || lines.length === 0) return 'an amended order needs at least one line; to drop them all, cancel the order';
  const ordered = new Map(order.lines.map((l) => [l.sku, l.quantity]));
  const available = new Map(shortfall.map((s) => [s.sku, s.available]));
  const seen = new Set<string>();
  for (const { sku, quantity } of lines) {
    const most = ordered.get(sku);
    if (most === undefined) return `${sku} is not in this order`;
    if (seen.has(sku)) return `${sku} is listed more than once`;
    seen.add(sku);
    if (!Number.isInteger(quantity) || quantity < 1) return `${sku}: the quantity must be at least 1 (leave the line out to drop it)`;
    if (quantity > most) return `${sku}: at most ${most} (the quantity ordered); an amendment can only take fewer units`;
    const inStock = available.get(sku);
    if (inStock !== undefined && quantity > inStock) return `${sku}: only ${inStock} available`;
  }
  return undefined;
}

export class CustomerAnswer {
  /** Set while the order waits for the customer. */
  private waiting?: { order: OrderSnapshot; shortfall: StockShortfall[] };
  private amending = false;
  private amended?: OrderSnapshot;

  /** Registers the amendOrder update; it is refused whenever the order is not waiting. */
  constructor(private readonly progress: OrderProgress) {
    setHandler(amendOrderUpdate, (input) => this.amend(input), { validator: (input) => this.validate(input) });
  }

  /**
   * Waits for the customer to amend `order` (AWAITING_CUSTOMER already, with
   * `shortfall`) and answers with the amended order. The wait's cancellation
   * (the order cancelled) ends it; after `waitMs` without an answer it fails
   * with `noAnswer`.
   */
  async answer(order: OrderSnapshot, shortfall: StockShortfall[], waitMs = defaultWaitMs): Promise<OrderSnapshot> {
    this.waiting = { order, shortfall };
    this.progress.awaitingCustomer = { shortfall, deadline: new Date(Date.now() + waitMs).toISOString() };
    try {
      await condition(() => this.amended !== undefined, waitMs);
      // An amendment under way when the time ran out was asked for in time: its outcome decides.
      await condition(() => !this.amending);
      if (!this.amended) throw ApplicationFailure.nonRetryable('out of stock; no answer from the customer', businessErrors.noAnswer);
      return this.amended;
    } finally {
      this.waiting = undefined;
      this.amended = undefined;
      delete this.progress.awaitingCustomer;
    }
  }

  private validate(input: AmendOrderInput | undefined): void {
    if (!this.waiting) throw refused('the order is not waiting for an amendment');
    if (this.amending) throw refused('an amendment of this order is already under way');
    const refusal = amendRefusal(this.waiting.order, this.waiting.shortfall, input?.lines ?? []);
    if (refusal) throw refused(refusal);
  }

  /** Checks the stock now (refreshing the shortfall), then amends the order at order-service. */
  private async amend({ lines }: AmendOrderInput): Promise<AmendedOrder> {
    const waiting = this.waiting!;
    const { order } = waiting;
    this.amending = true;
    try {
      waiting.shortfall = await customerCalls.stockShortfall(order.lines);
      if (this.waiting !== waiting) throw refused('the order is no longer waiting for an amendment');
      this.progress.awaitingCustomer!.shortfall = waiting.shortfall;
      const refusal = amendRefusal(order, waiting.shortfall, lines);
      if (refusal) throw refused(`the stock changed: ${refusal}`);
      const amended = await customerCalls.amendOrder(order.orderId, lines, currentUpdateInfo()!.id).catch((error: unknown) => {
        const cause = error instanceof ActivityFailure ? error.cause : undefined;
        throw cause instanceof ApplicationFailure && cause.type === businessErrors.amendRefused ? refused(cause.message) : error;
      });
      this.amended = { ...order, ...amended, amendment: (order.amendment ?? 0) + 1 };
      return amended;
    } finally {
      this.amending = false;
    }
  }
}
