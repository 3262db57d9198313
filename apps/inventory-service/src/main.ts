/** inventory-service: wiring only. */
import { InventoryService } from '@oms/contracts/inventory/v1';
import { startPrismaService } from '@oms/db';
import { runApp, serviceConfigShape } from '@oms/platform';
import { PrismaClient } from './generated/prisma/client';
import { createInventoryService } from './service';
import { InventoryStore } from './store';

const config = serviceConfigShape({ port: 50053, metricsPort: 9453, database: 'oms_inventory' });

export function startInventoryService(environment: Record<string, string | undefined> = process.env) {
  return startPrismaService(
    {
      app: 'inventory-service',
      service: InventoryService,
      config,
      prismaDir: new URL('../prisma', import.meta.url),
      client: (adapter) => new PrismaClient({ adapter }),
      handlers: ({ db }) => createInventoryService(new InventoryStore(db)),
    },
    environment,
  );
}

runApp(import.meta.url, () => startInventoryService());
