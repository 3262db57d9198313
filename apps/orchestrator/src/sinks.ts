import type { Sinks } from '@temporalio/workflow';

/** What workflows report to the worker's metrics (sinks are skipped on replay). */
export interface OrderSinks extends Sinks {
  orderMetrics: {
    /** `cause`: why, as a label (completed, customer, operator, unavailable, payment_declined, out_of_stock, fraud_suspected, shipping_refused, invalid_order). */
    finished(status: 'COMPLETED' | 'CANCELLED', seconds: number, cause: string): void;
    /** A step's transient-retry window ran out: the order is cancelled because `system` stayed down. */
    gaveUp(step: string, system: string): void;
  };
}
