/**
 * No orphan orders, end to end on real processes: the whole stack (startStack)
 * with the orphan reconciler sweeping every second, and the gateway as a
 * process that SIGKILLs itself between creating an order and starting its
 * saga (GATEWAY_CRASH_AFTER_CREATE_ORDER, test-only). The order completes by
 * itself, charged once, with one workflow; the client's retry through a
 * healthy gateway answers as the first request would have and changes nothing.
 */
import { randomUUID } from 'node:crypto';
import { OrderStatus } from '@oms/contracts/order/v1';
import { orderWorkflowId } from '@oms/contracts/workflows';
import { withClient } from '@oms/db';
import { startAppProcess, type AppProcess } from '@oms/devstack';
import { freePort } from '@oms/platform';
import { mintToken } from '@oms/platform/tokens';
import { createCustomer, stackEnv, startStack, type Stack } from '@oms/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const jwtSecret = 'test-orphans-jwt-secret-0123456789abcdef';

let stack: Stack;
let healthy: AppProcess;

/** The gateway as a process in front of the stack; `crash` makes it die right after CreateOrder. */
async function startGatewayProcess(crash: boolean): Promise<AppProcess> {
  const port = await freePort();
  return startAppProcess(
    'gateway',
    {
      ...stackEnv(stack),
      GATEWAY_JWT_SECRET: jwtSecret,
      DELIVERY_TIMEOUT_MS: '60000',
      LOG_LEVEL: 'warn',
      GATEWAY_CRASH_AFTER_CREATE_ORDER: String(crash),
    },
    { port, readiness: 'healthz', healthzPort: port },
  );
}

beforeAll(async () => {
  // Sweeps every second for orders PENDING for 3 s: far longer than a healthy gateway's create -> start.
  stack = await startStack({ env: { ORPHAN_SWEEP_EVERY_MS: '1000', ORPHAN_AFTER_MS: '3000' } });
  healthy = await startGatewayProcess(false);
}, 240_000); // the stack and a gateway process: on a busy machine, more than the default

afterAll(async () => {
  // What started stops cleanly (a start that failed has said so already).
  const codes = [...(healthy ? [await healthy.stop()] : []), ...((await stack?.stop()) ?? [])];
  expect(codes.every((code) => code === 0)).toBe(true);
});

async function workflowRuns(orderId: string): Promise<number> {
  let runs = 0;
  for await (const _ of stack.temporal.client.workflow.list({ query: `WorkflowId = '${orderWorkflowId(orderId)}'` })) runs++;
  return runs;
}

const payments = async (orderId: string) =>
  withClient(stack.databases['payment-service']!.url, async (c) => {
    const { rows } = await c.query<{ status: string; amount_minor: string }>('SELECT status, amount_minor FROM payments WHERE order_id = $1', [orderId]);
    return rows;
  });

/** Polls until `done` holds for what `read` answers, within a bounded number of tries. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, tries = 300): Promise<T> {
  let last: T | undefined;
  for (let i = 0; i < tries; i++) {
    last = await read();
    if (done(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`gave up waiting for ${what}; last: ${JSON.stringify(last)}`);
}

describe('an order whose gateway died between creating it and starting its saga', () => {
  it('completes by itself, charged once with one workflow; the client’s retry answers 202 with the same order and changes nothing', async () => {
    const customerId = await createCustomer(stack);
    const token = await mintToken(jwtSecret, { sub: customerId });
    await stack.inventory.createProduct({
      sku: 'ORPHAN-MUG',
      name: 'Mug',
      unitPrice: { amountMinor: 1500n, currency: 'EUR' },
      initialStock: 10,
      idempotencyKey: randomUUID(),
    });
    const idempotencyKey = randomUUID();
    const post = (gateway: AppProcess) =>
      fetch(`${gateway.url}/v1/orders`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
        body: JSON.stringify({ lines: [{ sku: 'ORPHAN-MUG', quantity: 2 }], paymentToken: 'tok_success' }),
      });

    const crashing = await startGatewayProcess(true);
    await expect(post(crashing)).rejects.toThrow();
    await crashing.stop();
    expect(crashing.child.signalCode).toBe('SIGKILL');

    // The order was created, and its saga was not started by the gateway.
    const { orders } = await stack.orders.listOrders({ customerId });
    expect(orders).toHaveLength(1);
    const orderId = orders[0]!.id;

    const done = await until(
      async () => (await stack.orders.getOrder({ orderId })).order!,
      (order) => order.status === OrderStatus.COMPLETED || order.status === OrderStatus.CANCELLED,
      `order ${orderId} to finish`,
    );
    expect(done.status).toBe(OrderStatus.COMPLETED);
    expect(await payments(orderId)).toEqual([{ status: 'SUCCEEDED', amount_minor: '3000' }]);
    expect(await workflowRuns(orderId)).toBe(1);
    const metrics = await (await fetch(stack.metricsUrls.orchestrator!)).text();
    expect(metrics).toMatch(/^order_orphans_total\{[^}]*outcome="started"[^}]*\} 1$/m);

    // The client retries the request that failed, with the same Idempotency-Key, on a healthy gateway.
    const retried = await post(healthy);
    expect(retried.status).toBe(202);
    expect(await retried.json()).toMatchObject({ orderId });
    expect((await stack.orders.listOrders({ customerId })).orders.map((o) => o.id)).toEqual([orderId]);
    expect((await stack.orders.getOrder({ orderId })).order!.status).toBe(OrderStatus.COMPLETED);
    expect(await payments(orderId)).toHaveLength(1);
    expect(await workflowRuns(orderId)).toBe(1);
  });
});
