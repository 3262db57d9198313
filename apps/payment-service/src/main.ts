/** payment-service: wiring only. */
import { PaymentService } from '@oms/contracts/payment/v1';
import { startPrismaService } from '@oms/db';
import { env, runApp, serviceConfigShape } from '@oms/platform';
import { GuardedCardProvider } from './card-provider/guarded-client';
import { SimulatedCardProvider } from './card-provider/simulator/simulated-card-provider';
import { PrismaClient } from './generated/prisma/client';
import { paymentMetrics } from './metrics';
import { createPaymentService } from './service';
import { PaymentStore } from './store';

const config = {
  ...serviceConfigShape({ port: 50052, metricsPort: 9452, database: 'oms_payment' }),
  PAYMENT_PROVIDER_TIMEOUT_MS: env.milliseconds(3000),
  PAYMENT_PROVIDER_SLOW_MS: env.milliseconds(1500),
  PAYMENT_BREAKER_THRESHOLD: env.count(5),
  PAYMENT_BREAKER_HALF_OPEN_MS: env.milliseconds(10_000),
};

export function startPaymentService(environment: Record<string, string | undefined> = process.env) {
  return startPrismaService(
    {
      app: 'payment-service',
      service: PaymentService,
      config,
      prismaDir: new URL('../prisma', import.meta.url),
      client: (adapter) => new PrismaClient({ adapter }),
      handlers: ({ config, db, registry, connect, onClose }) => {
        // The simulated provider is "external": its own pool, so provider calls made
        // while a service transaction holds a connection never wait on that pool.
        const simulated = new SimulatedCardProvider(connect(), config.PAYMENT_PROVIDER_SLOW_MS);
        onClose(() => simulated.close());
        const provider = new GuardedCardProvider(
          simulated,
          {
            timeoutMs: config.PAYMENT_PROVIDER_TIMEOUT_MS,
            breakerThreshold: config.PAYMENT_BREAKER_THRESHOLD,
            halfOpenMs: config.PAYMENT_BREAKER_HALF_OPEN_MS,
          },
          paymentMetrics(registry),
        );
        return createPaymentService(new PaymentStore(db), provider);
      },
    },
    environment,
  );
}

runApp(import.meta.url, () => startPaymentService());
