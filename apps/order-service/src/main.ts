/** order-service: wiring only. */
import { InventoryService } from '@oms/contracts/inventory/v1';
import { OrderService } from '@oms/contracts/order/v1';
import { startPrismaService } from '@oms/db';
import { env, runApp, serviceClient, serviceConfigShape } from '@oms/platform';
import { OrderCache } from './cache';
import { PrismaClient } from './generated/prisma/client';
import { orderMetrics } from './metrics';
import { createOrderService } from './service';
import { OrderStore } from './store';

const config = {
  ...serviceConfigShape({ port: 50051, metricsPort: 9451, database: 'oms_order' }),
  INVENTORY_SERVICE_URL: env.url('http://127.0.0.1:50053'),
  /** How long GetOrder may answer from memory: bounds how stale other replicas' writes look (0: no cache). */
  ORDER_CACHE_TTL_MS: env.milliseconds(5000),
  ORDER_CACHE_MAX: env.count(10_000),
};

export function startOrderService(environment: Record<string, string | undefined> = process.env) {
  return startPrismaService(
    {
      app: 'order-service',
      service: OrderService,
      config,
      prismaDir: new URL('../prisma', import.meta.url),
      client: (adapter) => new PrismaClient({ adapter }),
      handlers: ({ config, db, registry }) => {
        const inventory = serviceClient(InventoryService, config.INVENTORY_SERVICE_URL);
        const metrics = orderMetrics(registry);
        const store = new OrderStore(db);
        metrics.watchStuckOrders((statuses) => store.stuckOrders(statuses));
        const cache = new OrderCache({ ttlMs: config.ORDER_CACHE_TTL_MS, max: config.ORDER_CACHE_MAX }, metrics);
        return createOrderService(store, inventory, cache);
      },
    },
    environment,
  );
}

runApp(import.meta.url, () => startOrderService());
