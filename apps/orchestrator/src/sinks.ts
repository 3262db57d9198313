import type { Sinks } from '@temporalio/workflow';

/** What workflows report to the worker's metrics (sinks are skipped on replay). */
export interface OrderSinks extends Sinks {
  orderMetrics: {
    finished(status: 'COMPLETED' | 'CANCELLED', seconds: number): void;
    /** A step's transient-retry window ran out: the order is cancelled because `system` stayed down. */
    gaveUp(step: string, system: string): void;
  };
}
