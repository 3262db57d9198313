import type { Sinks } from '@temporalio/workflow';

/** What workflows report to the worker's metrics (sinks are skipped on replay). */
export interface OrderSinks extends Sinks {
  orderMetrics: {
    finished(status: 'COMPLETED' | 'CANCELLED', seconds: number): void;
  };
}
