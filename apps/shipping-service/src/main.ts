/** shipping-service: wiring only. */
import { ShippingService } from '@oms/contracts/shipping/v1';
import { startPrismaService } from '@oms/db';
import { env, runApp, serviceConfigShape } from '@oms/platform';
import { SimulatedCarrier } from './carrier/simulator/simulated-carrier';
import { PrismaClient } from './generated/prisma/client';
import { shippingMetrics } from './metrics';
import { createShippingService } from './service';
import { ShippingStore } from './store';

const config = {
  ...serviceConfigShape({ port: 50054, metricsPort: 9454, database: 'oms_shipping' }),
  /** How long the simulated carrier takes to confirm a new shipment. */
  SHIPPING_CARRIER_CONFIRM_MS: env.milliseconds(2000),
};

export function startShippingService(environment: Record<string, string | undefined> = process.env) {
  return startPrismaService(
    {
      app: 'shipping-service',
      service: ShippingService,
      config,
      prismaDir: new URL('../prisma', import.meta.url),
      client: (adapter) => new PrismaClient({ adapter }),
      handlers: ({ config, db, registry }) => {
        const store = new ShippingStore(db, new SimulatedCarrier(config.SHIPPING_CARRIER_CONFIRM_MS));
        return createShippingService(store, shippingMetrics(registry));
      },
    },
    environment,
  );
}

runApp(import.meta.url, () => startShippingService());
