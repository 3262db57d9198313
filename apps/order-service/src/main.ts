/** order-service: wiring only. */
import { fileURLToPath } from 'node:url';
import { InventoryService } from '@oms/contracts/inventory/v1';
import { OrderService } from '@oms/contracts/order/v1';
import { assertMigrated, mapDatabaseError, pgAdapter } from '@oms/db';
import { createLogger, createRegistry, env, loadConfig, runApp, serviceClient, serviceConfigShape, startRpcServer } from '@oms/platform';
import { OrderCache } from './cache';
import { PrismaClient } from './generated/prisma/client';
import { createOrderService } from './service';
import { OrderStore } from './store';

export const configShape = {
  ...serviceConfigShape({ port: 50051, metricsPort: 9451, database: 'oms_order' }),
  INVENTORY_SERVICE_URL: env.url('http://127.0.0.1:50053'),
  /** How long GetOrder may answer from memory: bounds how stale other replicas' writes look (0: no cache). */
  ORDER_CACHE_TTL_MS: env.milliseconds(5000),
  ORDER_CACHE_MAX: env.count(10_000),
};

export async function startOrderService(env: Record<string, string | undefined> = process.env) {
  const config = loadConfig(configShape, env);
  await assertMigrated(config.DATABASE_URL, fileURLToPath(new URL('../prisma', import.meta.url)));
  const prisma = new PrismaClient({ adapter: pgAdapter(config.DATABASE_URL, config.DATABASE_POOL_SIZE) });
  const store = new OrderStore(prisma);
  const inventory = serviceClient(InventoryService, config.INVENTORY_SERVICE_URL);
  const registry = createRegistry('order-service');
  const cache = new OrderCache({ ttlMs: config.ORDER_CACHE_TTL_MS, max: config.ORDER_CACHE_MAX }, registry);
  return startRpcServer({
    app: 'order-service',
    config,
    logger: createLogger('order-service', config.LOG_LEVEL),
    services: [OrderService],
    routes: (router) => router.service(OrderService, createOrderService(store, inventory, cache)),
    errorMappers: [mapDatabaseError],
    ready: () => store.ping(),
    registry,
    onClose: () => prisma.$disconnect(),
  });
}

runApp(import.meta.url, () => startOrderService());
