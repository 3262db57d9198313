import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  log,
  ParentClosePolicy,
  proxyActivities,
  proxySinks,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Activities } from '../activities';
import type { OrderSinks } from '../sinks';
import {
  businessErrors,
  cancelOrderSignal,
  statusQuery,
  trackingWorkflowId,
  type OrderOutcome,
  type OrderProgress,
  type OrderWorkflowInput,
  type Step,
} from '@oms/contracts/workflows';
import { Compensations } from './saga';
import { OrderTrackingWorkflow } from './tracking-workflow';

// Activity defaults from the seed articles; business refusals are raised as
// non-retryable ApplicationFailures by the activities themselves.
const retry = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 };
// On cancellation, wait for an attempt in flight to end before compensating:
// otherwise a charge could land after its refund ran.
const cancellationType = ActivityCancellationType.WAIT_CANCELLATION_COMPLETED;
const steps = proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry, cancellationType });
const shipping = proxyActivities<Activities>({ startToCloseTimeout: '30 minutes', heartbeatTimeout: '20 seconds', retry, cancellationType });
// Compensations never give up: no attempt limit, backoff capped at a minute.
const undo = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
const { orderMetrics } = proxySinks<OrderSinks>();

/** Words for the customer, from why the saga stopped; rethrows what is a bug. */
function customerReason(error: unknown): string {
  if (isCancellation(error)) return 'cancelled by an operator';
  if (!(error instanceof ActivityFailure)) throw error;
  const failure = error.cause;
  if (!(failure instanceof ApplicationFailure) || !failure.nonRetryable) return 'we could not process the order; any payment was refunded';
  switch (failure.type) {
    case businessErrors.paymentDeclined:
      return 'payment declined';
    case businessErrors.insufficientStock:
      return `out of stock: ${(failure.details?.[0] as { sku?: string } | undefined)?.sku ?? 'an item'}`;
    case businessErrors.fraudSuspected:
      return 'the payment could not be verified';
    case businessErrors.shippingRefused:
      return 'we cannot ship to this address';
    default:
      return `invalid order: ${failure.message}`;
  }
}

/**
 * Starts delivery tracking for a completed order. Nothing may undo the sale
 * from here, so it is not cancellable, and a tracker already running is fine.
 */
function trackDelivery(orderId: string, deliveryTimeoutMs: number | undefined): Promise<void> {
  return CancellationScope.nonCancellable(async () => {
    try {
      await startChild(OrderTrackingWorkflow, {
        workflowId: trackingWorkflowId(orderId),
        args: [{ orderId, deliveryTimeoutMs }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
  });
}

/**
 * OrderWorkflow(orderId), id `order-<orderId>`: validate -> reserve stock ->
 * charge -> commit stock -> arrange shipping -> completed, then delivery is
 * tracked by a child. When a step fails or the order is cancelled, what was
 * done is undone in reverse order and the order ends CANCELLED with a reason.
 * `isPatched` is workflow.patched in production (see workflows/index.ts).
 */
export function defineOrderWorkflow(isPatched: (patchId: string) => boolean) {
  return async function OrderWorkflow(input: OrderWorkflowInput): Promise<OrderOutcome> {
    const { orderId } = input;
    const progress: OrderProgress = { orderId, currentStep: 'validate', stepsDone: [], compensationsRun: [] };
    setHandler(statusQuery, () => progress);

    const forward = new CancellationScope();
    let cancelReason: string | undefined;
    setHandler(cancelOrderSignal, (reason) => {
      // Once shipping is arranged the order can no longer be cancelled.
      if (progress.outcome || progress.stepsDone.includes('arrange shipping')) return;
      cancelReason ??= reason || "cancelled at the customer's request";
      forward.cancel();
    });

    const saga = new Compensations();
    const step = async <T>(name: Step, run: () => Promise<T>): Promise<T> => {
      progress.currentStep = name;
      const result = await run();
      progress.stepsDone.push(name);
      return result;
    };
    let createdAtMs = workflowInfo().startTime.getTime();
    const finish = (outcome: OrderOutcome): OrderOutcome => {
      progress.currentStep = 'done';
      progress.outcome = outcome;
      orderMetrics.finished(outcome.status, (Date.now() - createdAtMs) / 1000);
      log.info('order finished', { orderId, status: outcome.status, reason: outcome.reason });
      return outcome;
    };

    try {
      const outcome = await forward.run(async (): Promise<OrderOutcome> => {
        createdAtMs = (await step('validate', () => steps.validateOrder(orderId))).createdAtMs;
        if (isPatched('fraud-check')) await step('fraud check', () => steps.checkFraud(orderId));
        // Each undo is registered before its step: a step that timed out may still have happened.
        saga.add('release reservation', () => undo.releaseReservation(orderId));
        await step('reserve stock', () => steps.reserveStock(orderId));
        await steps.setOrderStatus(orderId, 'VALIDATED', 'RESERVED');
        saga.add('refund payment', () => undo.refundPayment(orderId));
        await step('charge payment', () => steps.chargePayment(orderId, input.paymentToken));
        await steps.setOrderStatus(orderId, 'RESERVED', 'PAID');
        await step('commit stock', () => steps.commitStock(orderId));
        saga.add('cancel shipment', () => undo.cancelShipment(orderId));
        await steps.setOrderStatus(orderId, 'PAID', 'SHIPPING');
        const { trackingNumber } = await step('arrange shipping', () => shipping.arrangeShipping(orderId));
        await step('complete', () => steps.setOrderStatus(orderId, 'SHIPPING', 'COMPLETED'));
        return { orderId, status: 'COMPLETED', trackingNumber };
      });
      await trackDelivery(orderId, input.deliveryTimeoutMs);
      return finish(outcome);
    } catch (error) {
      const reason = cancelReason ?? customerReason(error);
      log.warn('order cancelled, compensating', { orderId, reason });
      progress.currentStep = 'compensating';
      await CancellationScope.nonCancellable(() => undo.markCancelling(orderId));
      await saga.run((name) => progress.compensationsRun.push(name));
      await CancellationScope.nonCancellable(() => undo.markCancelled(orderId, reason));
      return finish({ orderId, status: 'CANCELLED', reason });
    }
  };
}
