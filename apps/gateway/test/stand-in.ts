/**
 * The gateway in-process in front of a real Temporal dev server whose worker
 * runs a stand-in workflow with the real contract (test/fixtures/*: the
 * gateway may not import the orchestrator), for the routes that talk to
 * workflows. The services are whatever the test passes in `deps`.
 */
import { fileURLToPath } from 'node:url';
import { createLogger, createRegistry } from '@oms/platform';
import { startTemporalDevServer } from '@oms/testing';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app';
import type { GatewayDeps } from '../src/deps';

export const jwtSecret = 'test-gateway-jwt-secret-0123456789abcdef';

export const fixturePath = (file: string) => fileURLToPath(new URL(`./fixtures/${file}`, import.meta.url));

export interface StandIn {
  env: TestWorkflowEnvironment;
  app: FastifyInstance;
  /** An HTTP request to the gateway, with `token` as the bearer: its status, content type and JSON body. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of many shapes; tests assert on it
  call(method: 'GET' | 'POST', url: string, options: { token?: string; body?: unknown }): Promise<{ status: number; contentType: unknown; body: any }>;
  stop(): Promise<void>;
}

export async function startStandIn(fixture: string, options: { taskQueue: string; activities?: object; deps?: Partial<GatewayDeps> }): Promise<StandIn> {
  const env = await startTemporalDevServer();
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: options.taskQueue,
    workflowsPath: fixturePath(fixture),
    activities: options.activities,
  });
  const running = worker.run();
  const app = await buildApp({
    logger: createLogger('gateway', 'silent'),
    registry: createRegistry('gateway'),
    temporal: env.client,
    taskQueue: options.taskQueue,
    jwtSecret,
    carrierSecret: 'test-carrier-webhook-secret',
    rateLimitPerMinute: 1000,
    deliveryTimeoutMs: 60_000,
    awaitCustomerMs: 60_000,
    // What the routes under test do not use.
    orders: {},
    inventory: {},
    health: {},
    ...options.deps,
  } as GatewayDeps);
  return {
    env,
    app,
    async call(method, url, { token, body }) {
      const res = await app.inject({
        method,
        url,
        headers: token ? { authorization: `Bearer ${token}` } : {},
        ...(body === undefined ? {} : { payload: body as object }),
      });
      return { status: res.statusCode, contentType: res.headers['content-type'], body: res.json() };
    },
    async stop() {
      await app.close();
      worker.shutdown();
      await running;
      await env.teardown();
    },
  };
}
