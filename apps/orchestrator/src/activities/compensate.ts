/**
 * How every undo and end state runs: each is safe when there is nothing to
 * undo, and is retried by the workflow until it succeeds; every failed
 * attempt is counted and logged loudly (order_compensation_failures_total is
 * the alert).
 */
import { Context, log } from '@temporalio/activity';
import { Counter, type Registry } from 'prom-client';

export type Compensate = (name: string, work: () => Promise<unknown>) => Promise<void>;

export function compensator(registry: Registry): Compensate {
  const failures = new Counter({
    name: 'order_compensation_failures_total',
    help: 'Failed attempts of saga compensations (they are retried until they succeed)',
    labelNames: ['compensation'],
    registers: [registry],
  });

  return async (name, work) => {
    try {
      await work();
    } catch (error) {
      failures.inc({ compensation: name });
      log.error('compensation failed, will retry', { compensation: name, attempt: Context.current().info.attempt, error: String(error) });
      throw error;
    }
  };
}
