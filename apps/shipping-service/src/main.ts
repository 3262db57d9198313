/** shipping-service: wiring only. */
import { fileURLToPath } from 'node:url';
import { ShippingService } from '@oms/contracts/shipping/v1';
import { assertMigrated, mapDatabaseError, pgAdapter } from '@oms/db';
import { createLogger, createRegistry, env, loadConfig, runApp, serviceConfigShape, startRpcServer } from '@oms/platform';
import { SimulatedCarrier } from './carrier/simulator/simulated-carrier';
import { PrismaClient } from './generated/prisma/client';
import { createShippingService } from './service';
import { ShippingStore } from './store';

export const configShape = {
  ...serviceConfigShape({ port: 50054, metricsPort: 9454, database: 'oms_shipping' }),
  /** How long the simulated carrier takes to confirm a new shipment. */
  SHIPPING_CARRIER_CONFIRM_MS: env.milliseconds(2000),
};

export async function startShippingService(env: Record<string, string | undefined> = process.env) {
  const config = loadConfig(configShape, env);
  await assertMigrated(config.DATABASE_URL, fileURLToPath(new URL('../prisma', import.meta.url)));
  const prisma = new PrismaClient({ adapter: pgAdapter(config.DATABASE_URL, config.DATABASE_POOL_SIZE) });
  const store = new ShippingStore(prisma, new SimulatedCarrier(config.SHIPPING_CARRIER_CONFIRM_MS));
  const registry = createRegistry('shipping-service');
  return startRpcServer({
    app: 'shipping-service',
    config,
    logger: createLogger('shipping-service', config.LOG_LEVEL),
    services: [ShippingService],
    routes: (router) => router.service(ShippingService, createShippingService(store, registry)),
    errorMappers: [mapDatabaseError],
    ready: () => store.ping(),
    registry,
    onClose: () => prisma.$disconnect(),
  });
}

runApp(import.meta.url, () => startShippingService());
