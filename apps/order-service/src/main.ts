/** order-service: wiring only. */
import { fileURLToPath } from 'node:url';
import { InventoryService } from '@oms/contracts/inventory/v1';
import { OrderService } from '@oms/contracts/order/v1';
import { startPrismaService } from '@oms/db';
import { env, runApp, serviceClient, serviceConfigShape } from '@oms/platform';
import { BucketMoveService } from '@oms/contracts/order/v1/bucket-moves';
import { z } from 'zod';
import { bucketMoveHandlers, recoverInDoubt } from './bucket-moves';
import { OrderCache } from './cache';
import { crossShardHandlers } from './cross-shard';
import { PrismaClient } from './generated/prisma/client';
import { orderMetrics } from './metrics';
import { createOrderService } from './service';
import { openShards, shardPoolSize } from './shards/open';

const config = {
  ...serviceConfigShape({ port: 50051, metricsPort: 9451, database: 'oms_order' }),
  INVENTORY_SERVICE_URL: env.url('http://127.0.0.1:50053'),
  /** How long GetOrder may answer from memory: bounds how stale other replicas' writes look (0: no cache). */
  ORDER_CACHE_TTL_MS: env.milliseconds(5000),
  ORDER_CACHE_MAX: env.count(10_000),
  /** Shards 1, 2, ... (comma-separated database URLs); DATABASE_URL is shard 0 and holds the bucket map. */
  ORDER_SHARD_URLS: env.urlList(),
  /** How long a cross-shard query (ListAllOrders, CountOrdersByStatus) waits for each shard. */
  ORDER_SHARD_TIMEOUT_MS: env.milliseconds(2000),
  /** A bucket move's prepared transaction this old is presumed abandoned by its coordinator and resolved by its decision record. */
  ORDER_MOVE_IN_DOUBT_AFTER_MS: env.milliseconds(30_000),
  /** How often the recovery routine looks for such transactions. */
  ORDER_MOVE_RECOVERY_EVERY_MS: env.milliseconds(30_000),
  /** Test-only fault hook: kill the process at this point of every cut-over (fault tests of the two-phase commit). */
  ORDER_MOVE_CRASH_AT: z.enum(['after-prepare', 'after-decision']).optional(),
};

const shardUrls = (config: { DATABASE_URL: string; ORDER_SHARD_URLS: string[] }) => [config.DATABASE_URL, ...config.ORDER_SHARD_URLS];

const prismaDir = new URL('../prisma', import.meta.url);

export function startOrderService(environment: Record<string, string | undefined> = process.env) {
  return startPrismaService(
    {
      app: 'order-service',
      service: OrderService,
      config,
      prismaDir,
      client: (adapter) => new PrismaClient({ adapter }),
      poolSize: (config) => shardPoolSize(config.DATABASE_POOL_SIZE, shardUrls(config).length),
      handlers: async ({ config, db, logger, registry, connect, serve, onClose }) => {
        const inventory = serviceClient(InventoryService, config.INVENTORY_SERVICE_URL);
        const metrics = orderMetrics(registry);
        const urls = shardUrls(config);
        const router = await openShards({
          urls,
          catalog: db,
          connect: (url) => connect(url, shardPoolSize(config.DATABASE_POOL_SIZE, urls.length)),
          prismaDir: fileURLToPath(prismaDir),
          logger,
        });
        // A shard that does not answer leaves its rows out of the gauge rather than failing the scrape.
        metrics.watchStuckOrders(async (statuses) =>
          (await Promise.allSettled(router.shards.map((shard) => shard.store.stuckOrders(statuses)))).flatMap((r) => (r.status === 'fulfilled' ? r.value : [])),
        );
        serve(BucketMoveService, bucketMoveHandlers(router, { crashAt: config.ORDER_MOVE_CRASH_AT }));
        const stopRecovery = recoverInDoubt(router, logger, { afterMs: config.ORDER_MOVE_IN_DOUBT_AFTER_MS, everyMs: config.ORDER_MOVE_RECOVERY_EVERY_MS });
        onClose(async () => stopRecovery());
        const cache = new OrderCache({ ttlMs: config.ORDER_CACHE_TTL_MS, max: config.ORDER_CACHE_MAX }, metrics);
        return createOrderService(
          router,
          inventory,
          cache,
          crossShardHandlers(() => router.shards, config.ORDER_SHARD_TIMEOUT_MS),
        );
      },
    },
    environment,
  );
}

runApp(import.meta.url, () => startOrderService());
