import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The repository's root folder. */
export const workspaceRoot = path.resolve(fileURLToPath(import.meta.url), '../../../..');

/**
 * The Prisma-backed services, their databases and default ports (see README).
 * `shards`: a sharded service's other databases (shards 1..n-1, in order),
 * each a copy of `database`'s template; `database` is shard 0.
 */
export const services = [
  { app: 'order-service', database: 'oms_order', shards: ['oms_order_shard1'], port: 50051, metricsPort: 9451 },
  { app: 'payment-service', database: 'oms_payment', port: 50052, metricsPort: 9452 },
  { app: 'inventory-service', database: 'oms_inventory', port: 50053, metricsPort: 9453 },
  { app: 'shipping-service', database: 'oms_shipping', port: 50054, metricsPort: 9454 },
] as const;

export type ServiceName = (typeof services)[number]['app'];

/** A service's shards after shard 0 (none for an unsharded one). */
export const shardDatabases = (service: { database: string; shards?: readonly string[] }): readonly string[] => service.shards ?? [];

/**
 * The variables that hand an app the URLs of its shards 1..n-1
 * (comma-separated, e.g. ORDER_SHARD_URLS): none when it has no more shards.
 */
export function shardUrlsEnv(app: string, shardUrls: readonly string[]): Record<string, string> {
  return shardUrls.length ? { [`${app.split('-')[0]!.toUpperCase()}_SHARD_URLS`]: shardUrls.join(',') } : {};
}

export const appDir = (app: string): string => path.join(workspaceRoot, 'apps', app);
