import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  log,
  ParentClosePolicy,
  proxySinks,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { OrderSinks } from '../sinks';
import {
  businessErrors,
  cancelOrderSignal,
  cancelOrderUpdate,
  cancelRefused,
  statusQuery,
  trackingWorkflowId,
  type CancelRequest,
  type OrderOutcome,
  type OrderProgress,
  type OrderWorkflowInput,
  type Step,
} from '@oms/contracts/workflows';
import { canCancel } from '@oms/contracts/order-lifecycle';
import { Compensations, undo } from './saga';
import { stepsV1 } from './steps-v1';
import { stepsV2 } from './steps-v2';
import { OrderTrackingWorkflow } from './tracking-workflow';

const { orderMetrics } = proxySinks<OrderSinks>();

/** What a version's forward steps work with; they resolve once the order is completed. */
export type ForwardSteps = (saga: {
  input: OrderWorkflowInput;
  /** Runs one step, keeping the status query's progress. */
  step<T>(name: Step, run: () => Promise<T>): Promise<T>;
  saga: Compensations;
  /** Validation tells when the order was created (for the processing-time metric). */
  validated(createdAtMs: number): void;
}) => Promise<{ trackingNumber: string }>;

/** Whose outage a step waits out: named in the reason when the step gives up. */
const stepSystems: Record<Step, string> = {
  validate: 'order-service',
  'fraud check': 'order-service',
  'reserve stock': 'inventory-service',
  'charge payment': 'payment-service',
  'commit stock': 'inventory-service',
  'arrange shipping': 'shipping-service',
  complete: 'order-service',
};

/** Why the saga stopped: in words for the customer, as a metric label (`cause`, a short fixed set), and the system that stayed down if that was why; rethrows what is a bug. */
function stopReason(error: unknown, step: OrderProgress['currentStep']): { reason: string; cause: string; unavailable?: string } {
  if (isCancellation(error)) return { reason: 'cancelled by an operator', cause: 'operator' };
  if (!(error instanceof ActivityFailure)) throw error;
  const failure = error.cause;
  if (!(failure instanceof ApplicationFailure) || !failure.nonRetryable) {
    // Not a refusal: the step's retry window ran out while a system stayed down.
    const system = stepSystems[step as Step] ?? 'a system';
    return { reason: `${system} was unavailable for too long; any payment was refunded`, cause: 'unavailable', unavailable: system };
  }
  return { reason: refusalReason(failure), cause: refusalCauses[failure.type ?? ''] ?? 'invalid_order' };
}

const refusalCauses: Record<string, string> = {
  [businessErrors.paymentDeclined]: 'payment_declined',
  [businessErrors.insufficientStock]: 'out_of_stock',
  [businessErrors.fraudSuspected]: 'fraud_suspected',
  [businessErrors.shippingRefused]: 'shipping_refused',
};

function refusalReason(failure: ApplicationFailure): string {
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
 * Orders started before `saga-v2` keep their steps (steps-v1.ts).
 * `isPatched` is workflow.patched in production (see workflows/index.ts).
 */
export function defineOrderWorkflow(isPatched: (patchId: string) => boolean) {
  return async function OrderWorkflow(input: OrderWorkflowInput): Promise<OrderOutcome> {
    const forwardSteps = isPatched('saga-v2') ? stepsV2 : stepsV1(isPatched);
    const { orderId } = input;
    const progress: OrderProgress = { orderId, currentStep: 'validate', stepsDone: [], compensationsRun: [] };
    setHandler(statusQuery, () => progress);

    const forward = new CancellationScope();
    // The customer's reason; once compensating, the reason the order ends with, whatever stopped it.
    let cancelReason: string | undefined;
    // An accepted cancel always ends the order CANCELLED: the step under way is cancelled, and every
    // later step (the last, `complete`, too) runs in `forward`, so it fails at once; the undo of a
    // step is registered before it runs, so a shipment arranged meanwhile is cancelled.
    const cancel = (reason: string | undefined): string => {
      cancelReason ??= reason || "cancelled at the customer's request";
      forward.cancel();
      return cancelReason;
    };
    setHandler(cancelOrderSignal, (reason) => {
      if (canCancel(progress)) cancel(reason);
    });
    setHandler(cancelOrderUpdate, ({ reason }) => ({ orderId, accepted: true, reason: cancel(reason) }), {
      validator: (_request: CancelRequest) => {
        // Asked again while the order is being cancelled (shipping may have been arranged meanwhile): it ends as asked.
        const cancelling = cancelReason !== undefined && !progress.outcome;
        if (canCancel(progress) || cancelling) return;
        const why = progress.outcome ? `order ${orderId} has already ended: ${progress.outcome.status}` : `order ${orderId}: shipping is already arranged`;
        throw ApplicationFailure.nonRetryable(why, cancelRefused);
      },
    });

    const saga = new Compensations();
    const step = async <T>(name: Step, run: () => Promise<T>): Promise<T> => {
      progress.currentStep = name;
      const result = await run();
      progress.stepsDone.push(name);
      return result;
    };
    let createdAtMs = workflowInfo().startTime.getTime();
    const finish = (outcome: OrderOutcome, cause = 'completed'): OrderOutcome => {
      progress.currentStep = 'done';
      progress.outcome = outcome;
      orderMetrics.finished(outcome.status, (Date.now() - createdAtMs) / 1000, cause);
      log.info('order finished', { orderId, status: outcome.status, reason: outcome.reason });
      return outcome;
    };

    try {
      const { trackingNumber } = await forward.run(() => forwardSteps({ input, step, saga, validated: (ms) => (createdAtMs = ms) }));
      await trackDelivery(orderId, input.deliveryTimeoutMs);
      return finish({ orderId, status: 'COMPLETED', trackingNumber });
    } catch (error) {
      const stopped = cancelReason === undefined ? stopReason(error, progress.currentStep) : { reason: cancelReason, cause: 'customer' };
      if (stopped.unavailable) orderMetrics.gaveUp(progress.currentStep, stopped.unavailable);
      const { reason } = stopped;
      cancelReason = reason;
      log.warn('order cancelled, compensating', { orderId, reason });
      progress.currentStep = 'compensating';
      await CancellationScope.nonCancellable(() => undo.markCancelling(orderId));
      await saga.run((name) => progress.compensationsRun.push(name));
      await CancellationScope.nonCancellable(() => undo.markCancelled(orderId, reason));
      return finish({ orderId, status: 'CANCELLED', reason }, stopped.cause);
    }
  };
}
