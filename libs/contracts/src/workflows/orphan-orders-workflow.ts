/**
 * OrphanOrdersWorkflow's contract: the orphan reconciler, run by a Temporal
 * Schedule. An order is an orphan when it was created (PENDING) but its
 * saga was never started, e.g. because the gateway died between the two.
 */

/** The schedule, created by the worker at start; each run's workflow id is this plus the time it was due. */
export const orphanOrdersScheduleId = 'oms-orphan-orders';

export interface OrphanSweepInput {
  /** Only orders at least this old are candidates (ms): well beyond the gateway's gap between creating an order and starting its saga. */
  olderThanMs: number;
}

export interface OrphanSweepResult {
  /** PENDING orders old enough that the sweep looked at. */
  candidates: number;
  /** Orphans whose saga it started. */
  started: number;
  /** Candidates that had a saga already (started by the gateway, or by an earlier sweep). */
  alreadyStarted: number;
  /** Orphans placed without a payment token, which no saga can charge: cancelled. */
  cancelled: number;
}

/** Why an orphan without a payment token is cancelled, in words for the customer. */
export const orphanCancelReason = 'the order was not started; please place it again';
