import { proxyActivities } from '@temporalio/workflow';
import type { OrphanSweepInput, OrphanSweepResult } from '@oms/contracts/workflows';
import type { OrphanActivities } from '../activities/orphans';
import { backoff, untilDone } from './activity-options';

const { sweepOrphanOrders } = proxyActivities<OrphanActivities>({
  // A sweep heartbeats after each page, and a retry goes on from the last page it reported.
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  retry: backoff,
});
const { cancelOrphanOrder } = proxyActivities<OrphanActivities>(untilDone);

/**
 * OrphanOrdersWorkflow, run by the schedule `oms-orphan-orders`: starts the
 * saga of every PENDING order older than `olderThanMs` that has none (the
 * gateway died between creating the order and starting it), and cancels
 * those that cannot be charged because they were placed without a payment
 * token. Each cancel is an activity of its own that retries until done, so
 * an order is never left half-cancelled. The schedule skips a run while the
 * last one is still going.
 */
export async function OrphanOrdersWorkflow(input: OrphanSweepInput): Promise<OrphanSweepResult> {
  const { untokened, ...found } = await sweepOrphanOrders(input);
  let cancelled = 0;
  for (const orderId of untokened) if (await cancelOrphanOrder(orderId)) cancelled++;
  return { ...found, cancelled };
}
