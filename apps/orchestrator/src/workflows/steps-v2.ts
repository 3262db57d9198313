/**
 * OrderWorkflow's forward steps since `saga-v2`: five activities and one
 * local activity. Validation answers with the order's snapshot, which the
 * later steps take; each step moves the order's status itself.
 *
 * Retries: a business refusal fails at once (the activities raise it as
 * non-retryable). Anything else is retried with backoff, or at the time the
 * service named (an open breaker, the carrier's promised confirmation), for
 * the step's window (`retryWindowMs`, default an hour), long enough to ride
 * out an outage; there is no attempt limit.
 */
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { Step } from '@oms/contracts/workflows';
import { backoff, cancellationType } from './activity-options';
import type { ForwardSteps } from './order-workflow';
import { undo } from './saga';

const hourMs = 60 * 60 * 1000;

export const stepsV2: ForwardSteps = async ({ input, step, saga, validated }) => {
  const { orderId, paymentToken } = input;
  const window = (name: Step) => ({ startToCloseTimeout: '1 minute', scheduleToCloseTimeout: input.retryWindowMs?.[name] ?? hourMs, retry: backoff });
  const run = <T>(name: Step, call: (activities: Activities) => Promise<T>) =>
    step(name, () => call(proxyActivities<Activities>({ ...window(name), cancellationType })));

  const order = await run('validate', (a) => a.validateOrder(orderId));
  validated(order.createdAtMs);
  saga.add('release reservation', () => undo.releaseReservation(orderId));
  await run('reserve stock', (a) => a.reserve(order));
  saga.add('refund payment', () => undo.refundPayment(orderId));
  await run('charge payment', (a) => a.charge(order, paymentToken));
  await run('commit stock', (a) => a.commit(orderId));
  saga.add('cancel shipment', () => undo.cancelShipment(orderId));
  const { trackingNumber } = await run('arrange shipping', (a) => a.ship(order));
  // Local: one status write does not need a round trip through the task queue.
  await step('complete', () => proxyLocalActivities<Activities>(window('complete')).completeOrder(orderId));
  return { trackingNumber };
};
