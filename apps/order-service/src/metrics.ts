/** order-service's business metrics (every RPC's rate, errors and duration come from @oms/platform). */
import type { StatusName } from '@oms/contracts/order-lifecycle';
import { Counter, Gauge, type Registry } from 'prom-client';

/** What orders_not_terminal is read from: rows of orders still in the saga by status, counted past each age. */
export interface StuckOrders {
  status: string;
  over5m: bigint;
  over1h: bigint;
  over1d: bigint;
}

/** The saga's statuses: an order in one of these has not reached its end (COMPLETED, DELIVERED, CANCELLED). */
const sagaStatuses: StatusName[] = ['PENDING', 'VALIDATED', 'RESERVED', 'PAID', 'SHIPPING', 'AWAITING_CUSTOMER', 'CANCELLING'];

export function orderMetrics(registry: Registry) {
  return {
    cacheHits: new Counter({ name: 'order_cache_hits_total', help: 'GetOrder answered from the cache', registers: [registry] }),
    cacheMisses: new Counter({ name: 'order_cache_misses_total', help: 'GetOrder read from the database', registers: [registry] }),
    /** Reports orders stuck in the saga, counted by each shard at each scrape (one indexed query each). */
    watchStuckOrders(count: (statuses: StatusName[]) => Promise<StuckOrders[]>): void {
      new Gauge({
        name: 'orders_not_terminal',
        help: 'Orders not yet COMPLETED, DELIVERED or CANCELLED, by status, created longer ago than older_than (5m, 1h, 1d; cumulative)',
        labelNames: ['status', 'older_than'],
        registers: [registry],
        async collect() {
          // One row per status and shard: summed here.
          const totals = new Map(sagaStatuses.map((status) => [status, { '5m': 0, '1h': 0, '1d': 0 }]));
          for (const row of await count(sagaStatuses)) {
            const total = totals.get(row.status as StatusName)!;
            total['5m'] += Number(row.over5m);
            total['1h'] += Number(row.over1h);
            total['1d'] += Number(row.over1d);
          }
          for (const [status, total] of totals) {
            for (const [olderThan, value] of Object.entries(total)) this.set({ status, older_than: olderThan }, value);
          }
        },
      });
    },
  };
}

export type OrderMetrics = ReturnType<typeof orderMetrics>;
