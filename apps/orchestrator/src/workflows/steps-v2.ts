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
 *
 * Since `awaiting-customer`, a reservation the stock cannot cover does not
 * end the order: it waits for the customer (customer-answer.ts), and an
 * amended order is reserved again (and waits again if the stock is still
 * short), then charged its new total. Since `stock-came-back`, a refusal
 * when nothing is short any more is followed by one more try.
 */
import { ActivityFailure, ApplicationFailure, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { businessErrors, type Step } from '@oms/contracts/workflows';
import { backoff, cancellationType } from './activity-options';
import type { ForwardSteps } from './order-workflow';
import { undo } from './saga';

const hourMs = 60 * 60 * 1000;

const isStockRefusal = (error: unknown) =>
  error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && error.cause.type === businessErrors.insufficientStock;

export const stepsV2: ForwardSteps = async ({ input, step, saga, validated, customer, isPatched }) => {
  const { orderId, paymentToken } = input;
  const window = (name: Step) => ({ startToCloseTimeout: '1 minute', scheduleToCloseTimeout: input.retryWindowMs?.[name] ?? hourMs, retry: backoff });
  const activities = (name: Step) => proxyActivities<Activities>({ ...window(name), cancellationType });
  const run = <T>(name: Step, call: (activities: Activities) => Promise<T>) => step(name, () => call(activities(name)));

  let order = await run('validate', (a) => a.validateOrder(orderId));
  validated(order.createdAtMs);
  saga.add('release reservation', () => undo.releaseReservation(orderId));
  for (;;) {
    try {
      await run('reserve stock', (a) => a.reserve(order));
      break;
    } catch (error) {
      if (!isStockRefusal(error) || !isPatched('awaiting-customer')) throw error;
      // Nothing was reserved, so nothing is undone yet: the customer says what to keep.
      const reserve = activities('reserve stock');
      const shortfall = await reserve.stockShortfall(order.lines);
      if (shortfall.length === 0) {
        // The stock came back between the refusal and the look: these lines are reserved once more; refused again, the refusal stands.
        if (order.reserveAgain || !isPatched('stock-came-back')) throw error;
        order = { ...order, reserveAgain: true };
        continue;
      }
      await reserve.askCustomer(order, shortfall);
      order = { ...(await customer.answer(order, shortfall, input.awaitCustomerMs)), reserveAgain: undefined };
    }
  }
  saga.add('refund payment', () => undo.refundPayment(orderId));
  await run('charge payment', (a) => a.charge(order, paymentToken));
  await run('commit stock', (a) => a.commit(orderId));
  saga.add('cancel shipment', () => undo.cancelShipment(orderId));
  const { trackingNumber } = await run('arrange shipping', (a) => a.ship(order));
  // Local: one status write does not need a round trip through the task queue.
  await step('complete', () => proxyLocalActivities<Activities>(window('complete')).completeOrder(orderId));
  return { trackingNumber };
};
