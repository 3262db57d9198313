import { condition, continueAsNew, log, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { orderDeliveredSignal, type TrackingInput, type TrackingOutcome } from '@oms/contracts/workflows';
import { untilDone } from './activity-options';

const day = 24 * 60 * 60 * 1000;
const { markDelivered } = proxyActivities<Activities>(untilDone);

/**
 * OrderTrackingWorkflow, id `tracking-<orderId>`: waits for the carrier's
 * `orderDelivered` signal, then marks the order DELIVERED. Each run waits
 * at most `deliveryTimeoutMs`, then continues as new with its state, so the
 * history stays short however long delivery takes.
 */
export async function OrderTrackingWorkflow(input: TrackingInput): Promise<TrackingOutcome> {
  const runs = (input.runs ?? 0) + 1;
  let delivered = false;
  setHandler(orderDeliveredSignal, () => {
    delivered = true;
  });
  await condition(() => delivered, input.deliveryTimeoutMs ?? day);
  if (delivered) {
    await markDelivered(input.orderId);
    log.info('order delivered', { orderId: input.orderId, runs });
    return { orderId: input.orderId, delivered: true, runs };
  }
  if (runs >= (input.maxRuns ?? 30)) {
    log.warn('no delivery confirmation, tracking stops', { orderId: input.orderId, runs });
    return { orderId: input.orderId, delivered: false, runs };
  }
  return continueAsNew<typeof OrderTrackingWorkflow>({ ...input, runs });
}
