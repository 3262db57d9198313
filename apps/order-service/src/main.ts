/** order-service: wiring only. */
import { InventoryService } from '@oms/contracts/inventory/v1';
import { OrderService } from '@oms/contracts/order/v1';
import { mapDatabaseError, pgAdapter } from '@oms/db';
import { createLogger, env, loadConfig, runApp, serviceClient, serviceConfigShape, startRpcServer } from '@oms/platform';
import { PrismaClient } from './generated/prisma/client';
import { createOrderService } from './service';
import { OrderStore } from './store';

export const configShape = {
  ...serviceConfigShape({ port: 50051, metricsPort: 9451, database: 'oms_order' }),
  INVENTORY_SERVICE_URL: env.url('http://127.0.0.1:50053'),
};

export async function startOrderService(env: Record<string, string | undefined> = process.env) {
  const config = loadConfig(configShape, env);
  const prisma = new PrismaClient({ adapter: pgAdapter(config.DATABASE_URL, config.DATABASE_POOL_SIZE) });
  const store = new OrderStore(prisma);
  const inventory = serviceClient(InventoryService, config.INVENTORY_SERVICE_URL);
  return startRpcServer({
    app: 'order-service',
    config,
    logger: createLogger('order-service', config.LOG_LEVEL),
    services: [OrderService],
    routes: (router) => router.service(OrderService, createOrderService(store, inventory)),
    errorMappers: [mapDatabaseError],
    ready: () => store.ping(),
    onClose: () => prisma.$disconnect(),
  });
}

runApp(import.meta.url, () => startOrderService());
