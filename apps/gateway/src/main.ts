/** gateway: wiring only. */
import { Health } from '@oms/contracts/health/v1';
import { InventoryService } from '@oms/contracts/inventory/v1';
import { OrderService } from '@oms/contracts/order/v1';
import { createLogger, createRegistry, runApp, serviceClient, startTelemetry, temporalConnectionOptions } from '@oms/platform';
import { Client, Connection } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { buildApp } from './app';
import { loadGatewayConfig } from './config';

export async function startGateway(env: Record<string, string | undefined> = process.env) {
  const telemetry = startTelemetry('gateway', env);
  const config = loadGatewayConfig(env);
  const logger = createLogger('gateway', config.LOG_LEVEL);
  // Lazy: the gateway starts (and /readyz says so) while Temporal is still coming up.
  const connection = Connection.lazy(temporalConnectionOptions(config));
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
    awaitCustomerMs: config.ORDER_AWAIT_CUSTOMER_MS,
    crashAfterCreateOrder: config.GATEWAY_CRASH_AFTER_CREATE_ORDER === 'true',
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
