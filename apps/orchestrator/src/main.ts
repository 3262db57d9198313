/** orchestrator: the Temporal worker on task queue `orders`. Wiring only. */
import { fileURLToPath } from 'node:url';
import { InventoryService } from '@oms/contracts/inventory/v1';
import { OrderService } from '@oms/contracts/order/v1';
import { BucketMoveService } from '@oms/contracts/order/v1/bucket-moves';
import { PaymentService } from '@oms/contracts/payment/v1';
import { ShippingService } from '@oms/contracts/shipping/v1';
import {
  createLogger,
  createRegistry,
  env,
  freePort,
  loadConfig,
  runApp,
  serviceClient,
  startMetricsServer,
  startTelemetry,
  temporalConfigShape,
  temporalConnectionOptions,
} from '@oms/platform';
import { Client } from '@temporalio/client';
import { OpenTelemetryPlugin, OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { z } from 'zod';
import { createActivities } from './activities';
import { bucketMoveActivities } from './activities/bucket-moves';
import { orphanActivities } from './activities/orphans';
import { scheduleOrphanSweeps } from './orphan-schedule';
import { orderSinks, temporalLogger } from './telemetry';

export const configShape = {
  HOST: z.string().default('127.0.0.1'),
  METRICS_PORT: env.port(9464),
  LOG_LEVEL: env.logLevel(),
  ...temporalConfigShape,
  // A bundle prebuilt by `nx build` (production); without it, workflows are bundled at start.
  WORKFLOW_BUNDLE_PATH: z.string().optional(),
  ORDER_SERVICE_URL: env.url('http://127.0.0.1:50051'),
  PAYMENT_SERVICE_URL: env.url('http://127.0.0.1:50052'),
  INVENTORY_SERVICE_URL: env.url('http://127.0.0.1:50053'),
  SHIPPING_SERVICE_URL: env.url('http://127.0.0.1:50054'),
  SHIPPING_POLL_MS: env.milliseconds(500),
  FRAUD_REVIEW_LIMIT_MINOR: z.coerce.bigint().default(10_000_000n),
  /** The orphan reconciler (docs/orchestrator.md): how often it sweeps, and how old a PENDING order must be to count as one (well beyond the gateway's gap between creating an order and starting its saga). */
  ORPHAN_SWEEP_EVERY_MS: z.coerce.number().int().min(1000, 'must be at least 1000 (a schedule runs at most once a second)').default(60_000),
  ORPHAN_AFTER_MS: env.count(60_000),
  /** What the reconciler passes to the sagas it starts: keep equal to the gateway's. */
  DELIVERY_TIMEOUT_MS: env.count(86_400_000),
  ORDER_AWAIT_CUSTOMER_MS: env.count(1_800_000),
};

export async function startWorker(environment: Record<string, string | undefined> = process.env) {
  const telemetry = startTelemetry('orchestrator', environment);
  const config = loadConfig(configShape, environment);
  const logger = createLogger('orchestrator', config.LOG_LEVEL);
  const registry = createRegistry('orchestrator');
  // The SDK's own metrics are served by its exporter on an internal port and
  // appended to our /metrics, so Prometheus scrapes one endpoint.
  const sdkMetrics = `127.0.0.1:${await freePort()}`;
  Runtime.install({
    logger: temporalLogger(logger),
    telemetryOptions: { metrics: { prometheus: { bindAddress: sdkMetrics } } },
    // SIGTERM/SIGINT are ours (runApp): the worker drains, then the process exits.
    shutdownSignals: [],
  });
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  const order = serviceClient(OrderService, config.ORDER_SERVICE_URL);
  const sagaActivities = createActivities({
    order,
    inventory: serviceClient(InventoryService, config.INVENTORY_SERVICE_URL),
    payment: serviceClient(PaymentService, config.PAYMENT_SERVICE_URL),
    shipping: serviceClient(ShippingService, config.SHIPPING_SERVICE_URL),
    registry,
    shippingPollMs: config.SHIPPING_POLL_MS,
    fraudReviewLimitMinor: config.FRAUD_REVIEW_LIMIT_MINOR,
  });
  // ReshardWorkflow's, on order-service's address: a bucket's copy may take minutes, so its calls get the copy activity's 10-minute limit.
  const moveActivities = bucketMoveActivities({ bucketMoves: serviceClient(BucketMoveService, config.ORDER_SERVICE_URL, 10 * 60_000) });
  // The reconciler starts sagas as the gateway does, through a client on the worker's connection (the starts join the sweep's trace).
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } });
  const reconciler = orphanActivities({
    order,
    workflows: client.workflow,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    sagaSettings: { deliveryTimeoutMs: config.DELIVERY_TIMEOUT_MS, awaitCustomerMs: config.ORDER_AWAIT_CUSTOMER_MS },
    registry,
  });
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    ...(config.WORKFLOW_BUNDLE_PATH
      ? { workflowBundle: { codePath: config.WORKFLOW_BUNDLE_PATH } }
      : { workflowsPath: fileURLToPath(new URL('./workflows/index.ts', import.meta.url)) }),
    activities: { ...sagaActivities, ...moveActivities, ...reconciler },
    sinks: orderSinks(registry),
    // The workflow continues the starter's trace; its spans (made in the sandbox, sent out by a sink) and each activity's join it.
    // Always on, because a prebuilt bundle always has the workflow interceptors (scripts/bundle-workflows.ts); untraced, the spans go nowhere.
    plugins: [new OpenTelemetryPlugin({ resource: telemetry.resource, spanProcessor: telemetry.spanProcessor })],
    shutdownGraceTime: '10 seconds',
  });
  const running = worker.run();
  const schedule = await scheduleOrphanSweeps(client, {
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    everyMs: config.ORPHAN_SWEEP_EVERY_MS,
    olderThanMs: config.ORPHAN_AFTER_MS,
  });
  logger.info({ schedule, everyMs: config.ORPHAN_SWEEP_EVERY_MS, olderThanMs: config.ORPHAN_AFTER_MS }, 'orphan order sweeps scheduled');
  const metrics = await startMetricsServer({
    host: config.HOST,
    port: config.METRICS_PORT,
    registry,
    logger,
    more: async () => (await fetch(`http://${sdkMetrics}/metrics`)).text(),
  });
  logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, temporal: config.TEMPORAL_ADDRESS, metrics: metrics.url }, 'orchestrator worker running');
  return {
    logger,
    metricsUrl: metrics.url,
    close: async () => {
      worker.shutdown();
      await running;
      await connection.close();
      await metrics.close();
      await telemetry.shutdown();
      logger.info('orchestrator stopped');
    },
  };
}

runApp(import.meta.url, () => startWorker());
