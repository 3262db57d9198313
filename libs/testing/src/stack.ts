/**
 * The whole system for end-to-end tests and benchmarks: a Temporal dev
 * server, the four services (processes, each on a fresh database cloned from
 * its template; order-service on as many as it has shards) and the worker
 * (a process), wired to each other.
 */
import { randomUUID } from 'node:crypto';
import { Code, ConnectError, type Client } from '@connectrpc/connect';
import { InventoryService } from '@oms/contracts/inventory/v1';
import { OrderService } from '@oms/contracts/order/v1';
import { services, shardDatabases, shardUrlsEnv, startAppProcess, type AppProcess } from '@oms/devstack';
import { serviceClient } from '@oms/platform';
import { orderWorkflowId, type OrderOutcome } from '@oms/contracts/workflows';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ExponentialBackoff, handleWhen, retry } from 'cockatiel';
import { cloneTemplate, type TestDatabase } from './databases';
import { startTemporalDevServer } from './temporal';

export interface Stack {
  temporal: TestWorkflowEnvironment;
  taskQueue: string;
  /** The services' URLs, by app name (e.g. `urls['order-service']`). */
  urls: Record<string, string>;
  /** Every app's Prometheus endpoint, by app name (the services and `orchestrator`). */
  metricsUrls: Record<string, string>;
  orders: Client<typeof OrderService>;
  inventory: Client<typeof InventoryService>;
  /** Each service's database (shard 0 of a sharded one), by app. */
  databases: Record<string, TestDatabase>;
  /** A sharded service's shards 1..n-1, by app (`shards['order-service']`). */
  shards: Record<string, TestDatabase[]>;
  /** Creates an order and runs its saga to the end. */
  placeOrder(
    customerId: string,
    lines: { sku: string; quantity: number }[],
    paymentToken: string,
  ): Promise<{ orderId: string; totalMinor: bigint; outcome: OrderOutcome }>;
  /** Kills an app (SIGKILL unless told) and starts it again on the same ports, with the same settings. */
  restart(app: string, signal?: NodeJS.Signals): Promise<void>;
  /** The last 64 KiB an app printed (its JSON log lines), by app name; still there after stop(). */
  output(app: string): string;
  /** Stops everything; resolves with the apps' exit codes. */
  stop(): Promise<(number | null)[]>;
}

export interface StackOptions {
  shippingConfirmMs?: number;
  /** More variables for every app, e.g. where to export traces. */
  env?: Record<string, string>;
  /**
   * Order-service on the test's own databases (shard 0, then the others),
   * e.g. on servers that allow prepared transactions; the test removes them.
   */
  orderDatabases?: { url: string; shardUrls: string[] };
}

const retryUnavailable = retry(
  handleWhen((error) => ConnectError.from(error).code === Code.Unavailable),
  { maxAttempts: 5, backoff: new ExponentialBackoff({ initialDelay: 200 }) },
);

/** A database the test owns: the stack leaves it be. */
const ownedByTest = (url: string): TestDatabase => ({ url, drop: async () => {} });

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const taskQueue = `stack-${randomUUID()}`;
  const temporal = await startTemporalDevServer();
  const databases: Record<string, TestDatabase> = {};
  const shards: Record<string, TestDatabase[]> = {};
  for (const s of services) {
    if (s.app === 'order-service' && options.orderDatabases) {
      databases[s.app] = ownedByTest(options.orderDatabases.url);
      shards[s.app] = options.orderDatabases.shardUrls.map(ownedByTest);
      continue;
    }
    databases[s.app] = await cloneTemplate(s.database);
    // Every shard has the same schema: each is a clone of the same template.
    if (shardDatabases(s).length) shards[s.app] = await Promise.all(shardDatabases(s).map(() => cloneTemplate(s.database)));
  }
  const apps: Record<string, AppProcess> = {};
  const settings: Record<string, { env: Record<string, string>; readiness?: 'healthz' }> = {};
  const start = async (app: string, env: Record<string, string>, readiness?: 'healthz') => {
    settings[app] = { env: { LOG_LEVEL: 'warn', ...options.env, ...env }, readiness };
    const proc = await startAppProcess(app, settings[app].env, { readiness });
    apps[app] = proc;
    return proc;
  };
  const shardUrls = (app: string) => (shards[app] ?? []).map((d) => d.url);
  const db = (app: string) => ({ DATABASE_URL: databases[app]!.url, ...shardUrlsEnv(app, shardUrls(app)) });
  const inventoryApp = await start('inventory-service', db('inventory-service'));
  const [paymentApp, shippingApp, orderApp] = await Promise.all([
    start('payment-service', db('payment-service')),
    start('shipping-service', { ...db('shipping-service'), SHIPPING_CARRIER_CONFIRM_MS: String(options.shippingConfirmMs ?? 300) }),
    start('order-service', { ...db('order-service'), INVENTORY_SERVICE_URL: inventoryApp.url }),
  ]);
  const orchestratorApp = await start(
    'orchestrator',
    {
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      ORDER_SERVICE_URL: orderApp.url,
      PAYMENT_SERVICE_URL: paymentApp.url,
      INVENTORY_SERVICE_URL: inventoryApp.url,
      SHIPPING_SERVICE_URL: shippingApp.url,
      SHIPPING_POLL_MS: '100',
    },
    'healthz',
  );
  const orders = serviceClient(OrderService, orderApp.url);
  return {
    temporal,
    taskQueue,
    urls: { 'inventory-service': inventoryApp.url, 'payment-service': paymentApp.url, 'shipping-service': shippingApp.url, 'order-service': orderApp.url },
    metricsUrls: {
      'inventory-service': inventoryApp.metricsUrl,
      'payment-service': paymentApp.metricsUrl,
      'shipping-service': shippingApp.metricsUrl,
      'order-service': orderApp.metricsUrl,
      orchestrator: orchestratorApp.metricsUrl,
    },
    orders,
    inventory: serviceClient(InventoryService, inventoryApp.url),
    databases,
    shards,
    async placeOrder(customerId, lines, paymentToken) {
      // As a real client does: UNAVAILABLE (e.g. the customer's bucket fenced by a move) is retried with the same key.
      const idempotencyKey = randomUUID();
      const { order } = await retryUnavailable.execute(() => orders.createOrder({ customerId, lines, idempotencyKey }));
      const outcome: OrderOutcome = await temporal.client.workflow.execute('OrderWorkflow', {
        taskQueue,
        workflowId: orderWorkflowId(order!.id),
        args: [{ orderId: order!.id, paymentToken, deliveryTimeoutMs: 60_000 }],
      });
      return { orderId: order!.id, totalMinor: order!.total!.amountMinor, outcome };
    },
    async restart(app, signal = 'SIGKILL') {
      const old = apps[app]!;
      await old.stop(signal);
      const { env, readiness } = settings[app]!;
      apps[app] = await startAppProcess(app, env, { readiness, port: old.port, metricsPort: Number(new URL(old.metricsUrl).port) });
    },
    output: (app) => apps[app]?.output() ?? '',
    async stop() {
      const codes = await Promise.all(Object.values(apps).map((app) => app.stop()));
      await temporal.teardown();
      for (const database of [...Object.values(databases), ...Object.values(shards).flat()]) await database.drop();
      return codes;
    },
  };
}

/** What an app in front of the stack (the gateway) needs to reach it: the services' URLs, Temporal and the task queue. */
export const stackEnv = (stack: Pick<Stack, 'urls' | 'temporal' | 'taskQueue'>): Record<string, string> => ({
  ORDER_SERVICE_URL: stack.urls['order-service']!,
  PAYMENT_SERVICE_URL: stack.urls['payment-service']!,
  INVENTORY_SERVICE_URL: stack.urls['inventory-service']!,
  SHIPPING_SERVICE_URL: stack.urls['shipping-service']!,
  TEMPORAL_ADDRESS: stack.temporal.address,
  TEMPORAL_TASK_QUEUE: stack.taskQueue,
});

/** A customer with a shipping address, for placing orders. */
export async function createCustomer(stack: Stack): Promise<string> {
  const { customer } = await stack.orders.createCustomer({
    name: 'Ada Lovelace',
    email: 'ada@example.com',
    shippingAddress: { name: 'Ada Lovelace', line1: '12 St James Sq', city: 'London', postalCode: 'SW1Y 4LB', country: 'GB' },
    idempotencyKey: randomUUID(),
  });
  return customer!.id;
}
