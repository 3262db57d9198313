/** payment-service: wiring only. */
import { fileURLToPath } from 'node:url';
import { PaymentService } from '@oms/contracts/payment/v1';
import { assertMigrated, mapDatabaseError, pgAdapter } from '@oms/db';
import { createLogger, createRegistry, env as setting, loadConfig, runApp, serviceConfigShape, startRpcServer } from '@oms/platform';
import { PrismaClient } from './generated/prisma/client';
import { GuardedCardProvider } from './card-provider/guarded-client';
import { SimulatedCardProvider } from './card-provider/simulator/simulated-card-provider';
import { createPaymentService } from './service';
import { PaymentStore } from './store';

export const configShape = {
  ...serviceConfigShape({ port: 50052, metricsPort: 9452, database: 'oms_payment' }),
  PAYMENT_PROVIDER_TIMEOUT_MS: setting.milliseconds(3000),
  PAYMENT_PROVIDER_SLOW_MS: setting.milliseconds(1500),
  PAYMENT_BREAKER_THRESHOLD: setting.count(5),
  PAYMENT_BREAKER_HALF_OPEN_MS: setting.milliseconds(10_000),
};

export async function startPaymentService(env: Record<string, string | undefined> = process.env) {
  const config = loadConfig(configShape, env);
  await assertMigrated(config.DATABASE_URL, fileURLToPath(new URL('../prisma', import.meta.url)));
  const prisma = new PrismaClient({ adapter: pgAdapter(config.DATABASE_URL, config.DATABASE_POOL_SIZE) });
  // The simulated provider is "external": its own pool, so provider calls made
  // while a service transaction holds a connection never wait on that pool.
  const providerPrisma = new PrismaClient({ adapter: pgAdapter(config.DATABASE_URL, config.DATABASE_POOL_SIZE) });
  const simulated = new SimulatedCardProvider(providerPrisma, config.PAYMENT_PROVIDER_SLOW_MS);
  const registry = createRegistry('payment-service');
  const provider = new GuardedCardProvider(
    simulated,
    {
      timeoutMs: config.PAYMENT_PROVIDER_TIMEOUT_MS,
      breakerThreshold: config.PAYMENT_BREAKER_THRESHOLD,
      halfOpenMs: config.PAYMENT_BREAKER_HALF_OPEN_MS,
    },
    registry,
  );
  const store = new PaymentStore(prisma);
  return startRpcServer({
    app: 'payment-service',
    config,
    logger: createLogger('payment-service', config.LOG_LEVEL),
    services: [PaymentService],
    routes: (router) => router.service(PaymentService, createPaymentService(store, provider)),
    errorMappers: [mapDatabaseError],
    ready: () => store.ping(),
    registry,
    onClose: async () => {
      await simulated.close();
      await Promise.all([prisma.$disconnect(), providerPrisma.$disconnect()]);
    },
  });
}

runApp(import.meta.url, () => startPaymentService());
