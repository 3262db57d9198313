/** gateway: wiring only. */
import { Health } from '@oms/contracts/health/v1';
import { InventoryService } from '@oms/contracts/inventory/v1';
import { OrderService } from '@oms/contracts/order/v1';
import { createLogger, createRegistry, env, loadConfig, runApp, serviceClient, startTelemetry } from '@oms/platform';
import { Client, Connection } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { z } from 'zod';
import { buildApp } from './app';
import { devJwtSecret } from '@oms/platform/tokens';

export const configShape = {
  HOST: z.string().default('127.0.0.1'),
  PORT: env.port(8080),
  LOG_LEVEL: env.logLevel(),
  ORDER_SERVICE_URL: env.url('http://127.0.0.1:50051'),
  PAYMENT_SERVICE_URL: env.url('http://127.0.0.1:50052'),
  INVENTORY_SERVICE_URL: env.url('http://127.0.0.1:50053'),
  SHIPPING_SERVICE_URL: env.url('http://127.0.0.1:50054'),
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('orders'),
  GATEWAY_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').default(devJwtSecret),
  CARRIER_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').default('dev-only-carrier-webhook-secret'),
  RATE_LIMIT_PER_MINUTE: env.count(600),
  DELIVERY_TIMEOUT_MS: env.count(86_400_000),
};

export async function startGateway(env: Record<string, string | undefined> = process.env) {
  const telemetry = startTelemetry('gateway', env);
  const config = loadConfig(configShape, env);
  const logger = createLogger('gateway', config.LOG_LEVEL);
  // Lazy: the gateway starts (and /readyz says so) while Temporal is still coming up.
  const connection = Connection.lazy({ address: config.TEMPORAL_ADDRESS });
  // Starting a workflow is a span of the request's trace, and the workflow continues it.
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } });
  const urls = {
    'order-service': config.ORDER_SERVICE_URL,
    'payment-service': config.PAYMENT_SERVICE_URL,
    'inventory-service': config.INVENTORY_SERVICE_URL,
    'shipping-service': config.SHIPPING_SERVICE_URL,
  };
  const app = await buildApp({
    logger,
    registry: createRegistry('gateway'),
    orders: serviceClient(OrderService, config.ORDER_SERVICE_URL),
    inventory: serviceClient(InventoryService, config.INVENTORY_SERVICE_URL),
    health: Object.fromEntries(Object.entries(urls).map(([app, url]) => [app, serviceClient(Health, url, 2_000)])),
    temporal,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    jwtSecret: config.GATEWAY_JWT_SECRET,
    carrierSecret: config.CARRIER_WEBHOOK_SECRET,
    rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
    deliveryTimeoutMs: config.DELIVERY_TIMEOUT_MS,
  });
  await app.listen({ host: config.HOST, port: config.PORT });
  const { port } = app.server.address() as { port: number };
  const url = `http://${config.HOST}:${port}`;
  logger.info({ url, docs: `${url}/docs` }, 'gateway listening');

  let closing: Promise<void> | undefined;
  const close = async () => {
    // Fastify stops taking requests and waits for those in flight.
    await app.close();
    await connection.close();
    await telemetry.shutdown();
    logger.info('gateway stopped');
  };
  return { url, logger, close: () => (closing ??= close()) };
}

runApp(import.meta.url, () => startGateway());
