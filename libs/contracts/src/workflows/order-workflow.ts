/** OrderWorkflow's contract: its input, the progress its `status` query answers, its outcome, the cancel Update (and the older signal), the amendOrder Update. */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

export const orderWorkflowId = (orderId: string) => `order-${orderId}`;

/**
 * How an order's saga is started, by the gateway when the order is placed and
 * by the orphan reconciler when that start was lost: the same id and input,
 * and never a second run for the same order, even after the first closed.
 */
export const orderWorkflowStart = (taskQueue: string, input: OrderWorkflowInput) => ({
  taskQueue,
  workflowId: orderWorkflowId(input.orderId),
  args: [input] as [OrderWorkflowInput],
  workflowIdReusePolicy: 'REJECT_DUPLICATE' as const,
});

export interface OrderWorkflowInput {
  orderId: string;
  /** The provider's payment token for the order (never card data). */
  paymentToken: string;
  /** How long tracking waits for the delivery signal per run (default 24 h). */
  deliveryTimeoutMs?: number;
  /**
   * How long each step keeps retrying transient faults (a service or the
   * provider down, a timeout) before the order is given up, in ms; default
   * one hour per step. Business refusals are never retried.
   */
  retryWindowMs?: Partial<Record<Step, number>>;
  /** How long an order short of stock waits for the customer to amend or cancel it (default 30 min). */
  awaitCustomerMs?: number;
}

export type Step = 'validate' | 'fraud check' | 'reserve stock' | 'charge payment' | 'commit stock' | 'arrange shipping' | 'complete';

export interface OrderProgress {
  orderId: string;
  /** The step under way; `done` once the workflow has an outcome. */
  currentStep: Step | 'compensating' | 'done';
  stepsDone: Step[];
  compensationsRun: string[];
  outcome?: OrderOutcome;
  /** While the order waits for the customer (AWAITING_CUSTOMER): the lines the stock cannot cover, and until when it waits (ISO 8601). */
  awaitingCustomer?: { shortfall: StockShortfall[]; deadline: string };
}

/** A line the stock cannot cover: `requested` units ordered, `available` in stock (order-service's Shortfall). */
export interface StockShortfall {
  sku: string;
  requested: number;
  available: number;
}

export interface OrderLine {
  sku: string;
  quantity: number;
}

/** The customer's answer to a shortfall: the order's lines as they should be (fewer units; a line left out is dropped). */
export interface AmendOrderInput {
  lines: OrderLine[];
}

/** The order once amended; minor units as a string (JSON has no int64). */
export interface AmendedOrder {
  lines: OrderLine[];
  total: { amountMinor: string; currency: string };
}

export interface OrderOutcome {
  orderId: string;
  status: 'COMPLETED' | 'CANCELLED';
  /** Customer-facing words when cancelled: "payment declined", "out of stock: SKU-1". */
  reason?: string;
  trackingNumber?: string;
}

/** A cancel's argument: the customer's words, if any (an object, so fields can be added). */
export interface CancelRequest {
  reason?: string;
}

/** What an accepted cancel answers; the order will end CANCELLED with `reason` (the first reason given wins). */
export interface CancelAccepted {
  orderId: string;
  accepted: true;
  reason: string;
}

/**
 * Cancels an order that has not shipped yet; the saga undoes what was done.
 * Its validator refuses once shipping is arranged or the order has ended,
 * failing the Update with an ApplicationFailure of type `cancelRefused`
 * whose message is for the customer. Answers once accepted, without waiting
 * for the compensations.
 */
export const cancelOrderUpdate = defineUpdate<CancelAccepted, [CancelRequest]>('cancel');
export const cancelRefused = 'CancelRefusedError';

/** The cancel before it was an Update (callers heard nothing back); kept for clients that still send it. Same rules, a refusal is ignored. */
export const cancelOrderSignal = defineSignal<[reason?: string]>('cancelOrder');
export const statusQuery = defineQuery<OrderProgress>('status');
/**
 * Amends an order waiting for the customer; refused (the update fails with
 * the reason, type `amendRefused`) unless it waits and the amended lines fit
 * the order and the stock now. The saga then goes on with the amended order.
 */
export const amendOrderUpdate = defineUpdate<AmendedOrder, [AmendOrderInput]>('amendOrder');

/** Failure types the activities raise for business refusals (non-retryable). */
export const businessErrors = {
  invalidOrder: 'InvalidOrderError',
  paymentDeclined: 'PaymentDeclinedError',
  insufficientStock: 'InsufficientStockError',
  fraudSuspected: 'FraudSuspectedError',
  shippingRefused: 'ShippingRefusedError',
  /** The customer did not answer a shortfall in time (raised by the workflow, not an activity). */
  noAnswer: 'CustomerNoAnswerError',
  /** An amendOrder update refused: its message is for the customer. */
  amendRefused: 'AmendRefusedError',
} as const;
