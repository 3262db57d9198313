/**
 * A service's database as Prometheus sees it, read at each scrape (nothing
 * runs between scrapes): its connection pools' use and wait, and whether the
 * database answers at all (the "database down" alert).
 */
import type pg from 'pg';
import { Gauge, type Registry } from 'prom-client';

/** How long a scrape waits for `SELECT 1` before calling the database down. */
const pingTimeoutMs = 2_000;

/** A database client's pools (none until its first query) and how many connections each may open. */
export interface PoolOwner {
  pools: pg.Pool[];
  poolSize: number;
}

export function databaseMetrics(registry: Registry, owners: () => PoolOwner[], ping: () => Promise<unknown>): void {
  const sum = (read: (pool: pg.Pool) => number) => owners().reduce((total, owner) => total + owner.pools.reduce((of, pool) => of + read(pool), 0), 0);
  new Gauge({
    name: 'db_pool_connections',
    help: 'Open database connections, by state: in_use (checked out by a query or transaction) or idle',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const idle = sum((pool) => pool.idleCount);
      this.set({ state: 'in_use' }, sum((pool) => pool.totalCount) - idle);
      this.set({ state: 'idle' }, idle);
    },
  });
  new Gauge({
    name: 'db_pool_max_connections',
    help: 'Connections the pools may open (DATABASE_POOL_SIZE per client)',
    registers: [registry],
    collect() {
      this.set(owners().reduce((total, owner) => total + owner.poolSize, 0));
    },
  });
  new Gauge({
    name: 'db_pool_waiting_requests',
    help: 'Queries and transactions waiting for a connection because every one is in use',
    registers: [registry],
    collect() {
      this.set(sum((pool) => pool.waitingCount));
    },
  });
  new Gauge({
    name: 'db_up',
    help: `1 while the database answers SELECT 1 within ${pingTimeoutMs} ms, else 0 (checked at each scrape)`,
    registers: [registry],
    async collect() {
      this.set((await answers(ping)) ? 1 : 0);
    },
  });
}

async function answers(ping: () => Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), pingTimeoutMs)));
  try {
    return await Promise.race([ping().then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
