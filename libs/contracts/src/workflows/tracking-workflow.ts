/** OrderTrackingWorkflow's contract: its input (carried across continue-as-new), its outcome, the delivery signal. */
import { defineSignal } from '@temporalio/workflow';

export const trackingWorkflowId = (orderId: string) => `tracking-${orderId}`;

export interface TrackingInput {
  orderId: string;
  /** How long one run waits for the delivery signal before continuing as new. */
  deliveryTimeoutMs?: number;
  /** Runs so far (carried across continue-as-new). */
  runs?: number;
  /** After this many runs without delivery, tracking gives up. */
  maxRuns?: number;
}

export interface TrackingOutcome {
  orderId: string;
  delivered: boolean;
  runs: number;
}

export const orderDeliveredSignal = defineSignal('orderDelivered');
