/** inventory-service: wiring only. */
import { fileURLToPath } from 'node:url';
import { InventoryService } from '@oms/contracts/inventory/v1';
import { assertMigrated, mapDatabaseError, pgAdapter } from '@oms/db';
import { createLogger, loadConfig, runApp, serviceConfigShape, startRpcServer } from '@oms/platform';
import { PrismaClient } from './generated/prisma/client';
import { createInventoryService } from './service';
import { InventoryStore } from './store';

export const configShape = serviceConfigShape({ port: 50053, metricsPort: 9453, database: 'oms_inventory' });

export async function startInventoryService(env: Record<string, string | undefined> = process.env) {
  const config = loadConfig(configShape, env);
  await assertMigrated(config.DATABASE_URL, fileURLToPath(new URL('../prisma', import.meta.url)));
  const prisma = new PrismaClient({ adapter: pgAdapter(config.DATABASE_URL, config.DATABASE_POOL_SIZE) });
  const store = new InventoryStore(prisma);
  return startRpcServer({
    app: 'inventory-service',
    config,
    logger: createLogger('inventory-service', config.LOG_LEVEL),
    services: [InventoryService],
    routes: (router) => router.service(InventoryService, createInventoryService(store)),
    errorMappers: [mapDatabaseError],
    ready: () => store.ping(),
    onClose: () => prisma.$disconnect(),
  });
}

runApp(import.meta.url, () => startInventoryService());
