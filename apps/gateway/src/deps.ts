/** What the routes talk to, built by main.ts (real clients) or a test. */
import type { Client as RpcClient } from '@connectrpc/connect';
import type { Health } from '@oms/contracts/health/v1';
import type { InventoryService } from '@oms/contracts/inventory/v1';
import type { OrderService } from '@oms/contracts/order/v1';
import type { Logger } from '@oms/platform';
import type { Client as TemporalClient } from '@temporalio/client';
import type { Registry } from 'prom-client';

export interface GatewayDeps {
  logger: Logger;
  registry: Registry;
  orders: RpcClient<typeof OrderService>;
  inventory: RpcClient<typeof InventoryService>;
  /** grpc.health.v1 clients of every service the gateway needs, by app name (for /readyz). */
  health: Record<string, RpcClient<typeof Health>>;
  temporal: TemporalClient;
  taskQueue: string;
  jwtSecret: string;
  carrierSecret: string;
  rateLimitPerMinute: number;
  /** Passed to every OrderWorkflow: how long tracking waits for delivery per run. */
  deliveryTimeoutMs: number;
  /** Passed to every OrderWorkflow: how long an order short of stock waits for the customer. */
  awaitCustomerMs: number;
  /** Test-only fault: SIGKILL the process after CreateOrder, before the order's workflow is started. */
  crashAfterCreateOrder?: boolean;
}
