/**
 * Saga step latency: every activity timed by name and outcome, so a slow
 * step (or a slow undo) shows in order_saga_step_seconds before orders
 * pile up. Failed attempts are timed too: a step that times out is slow.
 */
import { Histogram, type Registry } from 'prom-client';

type AnyActivity = (...args: never[]) => Promise<unknown>;

export function timedActivities<A extends Record<string, AnyActivity>>(registry: Registry, activities: A): A {
  const seconds = new Histogram({
    name: 'order_saga_step_seconds',
    help: 'Time one attempt of a saga activity took, by activity and outcome (ok, failed)',
    labelNames: ['activity', 'outcome'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const timed = Object.entries(activities).map(([name, activity]) => {
    const run = async (...args: never[]) => {
      const stop = seconds.startTimer({ activity: name });
      try {
        const result = await activity(...args);
        stop({ outcome: 'ok' });
        return result;
      } catch (error) {
        stop({ outcome: 'failed' });
        throw error;
      }
    };
    return [name, run];
  });
  return Object.fromEntries(timed) as A;
}
