/**
 * Retired: OrderWorkflow's forward steps before `saga-v2`, exactly as they
 * ran (replay.test.ts holds their histories), for orders started then.
 * Delete with activities/v1.ts once no such order runs.
 */
import { sagaMoves, type SagaMove } from '@oms/contracts/order-lifecycle';
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { backoff, cancellationType } from './activity-options';
import type { ForwardSteps } from './order-workflow';
import { undo } from './saga';

// The seed articles' policy, which gave up on faults that heal: only v1 orders still use it.
const retry = { ...backoff, maximumAttempts: 5 };
const steps = proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry, cancellationType });
const shipping = proxyActivities<Activities>({ startToCloseTimeout: '30 minutes', heartbeatTimeout: '20 seconds', retry, cancellationType });

// v1 moved the order's status in an activity of its own after each step.
const setStatusAfter = (orderId: string, step: SagaMove) => steps.setOrderStatus(orderId, sagaMoves[step].from, sagaMoves[step].to);

export function stepsV1(isPatched: (patchId: string) => boolean): ForwardSteps {
  return async ({ input: { orderId, paymentToken }, step, saga, validated }) => {
    validated((await step('validate', () => steps.validateOrder(orderId))).createdAtMs);
    if (isPatched('fraud-check')) await step('fraud check', () => steps.checkFraud(orderId));
    saga.add('release reservation', () => undo.releaseReservation(orderId));
    await step('reserve stock', () => steps.reserveStock(orderId));
    await setStatusAfter(orderId, 'reserve stock');
    saga.add('refund payment', () => undo.refundPayment(orderId));
    await step('charge payment', () => steps.chargePayment(orderId, paymentToken));
    await setStatusAfter(orderId, 'charge payment');
    await step('commit stock', () => steps.commitStock(orderId));
    saga.add('cancel shipment', () => undo.cancelShipment(orderId));
    await setStatusAfter(orderId, 'commit stock');
    const { trackingNumber } = await step('arrange shipping', () => shipping.arrangeShipping(orderId));
    await step('complete', () => setStatusAfter(orderId, 'complete'));
    return { trackingNumber };
  };
}
