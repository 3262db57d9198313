/**
 * A read-through cache of GetOrder's answers, per process. Writes in this
 * process invalidate their order; writes by other replicas are seen once the
 * entry's TTL runs out, so the TTL bounds how stale another replica's write
 * can look here.
 */
import type { Order } from '@oms/contracts/order/v1';
import { LRUCache } from 'lru-cache';
import type { OrderMetrics } from './metrics';

/** One load in flight; set when its order is invalidated before the load ends. */
interface Load {
  invalidated: boolean;
}

export class OrderCache {
  private readonly orders: LRUCache<string, Order>;
  private readonly loads = new Map<string, Set<Load>>();

  /** `ttlMs` 0 turns caching off (lru-cache would read 0 as "never expires"). */
  constructor(
    private readonly options: { ttlMs: number; max: number },
    private readonly metrics: OrderMetrics,
  ) {
    this.orders = new LRUCache({ max: options.max, ttl: options.ttlMs });
  }

  /** The cached order, or `load()`'s, which is kept unless the order was invalidated meanwhile. */
  async get(id: string, load: () => Promise<Order | undefined>): Promise<Order | undefined> {
    const cached = this.orders.get(id);
    if (cached) {
      this.metrics.cacheHits.inc();
      return cached;
    }
    this.metrics.cacheMisses.inc();
    const pending: Load = { invalidated: false };
    const loads = this.loads.get(id) ?? new Set<Load>();
    this.loads.set(id, loads.add(pending));
    try {
      const order = await load();
      // A write that committed after the load began may be missing from what it read.
      if (order && !pending.invalidated && this.options.ttlMs > 0) this.orders.set(id, order);
      return order;
    } finally {
      loads.delete(pending);
      if (loads.size === 0) this.loads.delete(id);
    }
  }

  /** Call after a write to the order has committed (or failed: then it costs one miss). */
  invalidate(id: string): void {
    this.orders.delete(id);
    for (const load of this.loads.get(id) ?? []) load.invalidated = true;
  }
}
