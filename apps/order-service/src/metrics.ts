/** order-service's business metrics (every RPC's rate, errors and duration come from @oms/platform). */
import { Counter, type Registry } from 'prom-client';

export function orderMetrics(registry: Registry) {
  return {
    cacheHits: new Counter({ name: 'order_cache_hits_total', help: 'GetOrder answered from the cache', registers: [registry] }),
    cacheMisses: new Counter({ name: 'order_cache_misses_total', help: 'GetOrder read from the database', registers: [registry] }),
  };
}

export type OrderMetrics = ReturnType<typeof orderMetrics>;
