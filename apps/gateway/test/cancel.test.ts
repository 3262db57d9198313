/**
 * POST /v1/orders/:id/cancel against a real Temporal dev server, where a
 * worker runs a stand-in OrderWorkflow with the real cancel contract
 * (test/fixtures/order-workflow.ts): each answer the route gives, including
 * the validator's refusal, which the full system (orders.test.ts) cannot
 * reach on demand. order-service is a map of orders (visibility is not what
 * this is about; requests.test.ts covers it on the real one).
 */
import { randomUUID } from 'node:crypto';
import { Code, ConnectError } from '@connectrpc/connect';
import { OrderStatus } from '@oms/contracts/order/v1';
import { orderWorkflowId, type OrderWorkflowInput } from '@oms/contracts/workflows';
import { mintToken } from '@oms/platform/tokens';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayDeps } from '../src/deps';
import { fixturePath, jwtSecret, startStandIn, type StandIn } from './stand-in';

const taskQueue = `cancel-${randomUUID()}`;
const customerId = '7';

let standIn: StandIn;
let env: TestWorkflowEnvironment;
const orders = new Map<string, { id: string; customerId: string; status: OrderStatus }>();

beforeAll(async () => {
  const getOrder = async ({ orderId }: { orderId: string }) => {
    const order = orders.get(orderId);
    if (!order) throw new ConnectError(`order ${orderId} not found`, Code.NotFound);
    return { order };
  };
  standIn = await startStandIn('order-workflow.ts', { taskQueue, deps: { orders: { getOrder } as unknown as GatewayDeps['orders'] } });
  ({ env } = standIn);
});

afterAll(() => standIn?.stop());

/** An order of the customer's in `status`, with its stand-in workflow started on `queue` (none: no workflow). */
async function order(status: OrderStatus, paymentToken: string, queue: string | null = taskQueue) {
  const orderId = String(Math.floor(Math.random() * 1e9));
  orders.set(orderId, { id: orderId, customerId, status });
  const input: OrderWorkflowInput = { orderId, paymentToken };
  const handle = queue
    ? await env.client.workflow.start('OrderWorkflow', { taskQueue: queue, workflowId: orderWorkflowId(orderId), args: [input] })
    : undefined;
  return { orderId, handle };
}

const cancel = async (orderId: string, body: unknown = {}, sub = customerId) =>
  standIn.call('POST', `/v1/orders/${orderId}/cancel`, { token: await mintToken(jwtSecret, { sub }), body });

describe('POST /v1/orders/:id/cancel', () => {
  it('202 once the workflow has accepted the cancel, which carries the reason', async () => {
    const { orderId, handle } = await order(OrderStatus.PAID, 'tok_success');
    expect(await cancel(orderId, { reason: 'changed my mind' })).toEqual({ status: 202, contentType: expect.any(String), body: { accepted: true } });
    expect(await handle!.result()).toEqual({ orderId, status: 'CANCELLED', reason: 'changed my mind' });
  });

  it("409 with the validator's reason once shipping is arranged", async () => {
    const { orderId } = await order(OrderStatus.SHIPPING, 'shipped');
    const res = await cancel(orderId);
    expect(res).toMatchObject({ status: 409, body: { type: 'urn:oms:problem:conflict', detail: `order ${orderId}: shipping is already arranged` } });
    expect(res.contentType).toContain('application/problem+json');
  });

  it('409 saying how the order ended once its workflow has closed', async () => {
    const { orderId, handle } = await order(OrderStatus.COMPLETED, 'done');
    await handle!.result();
    expect(await cancel(orderId)).toMatchObject({ status: 409, body: { detail: `order ${orderId} has already ended: COMPLETED` } });
  });

  it("404 for another customer's order, and for an order with no workflow", async () => {
    const { orderId } = await order(OrderStatus.PAID, 'tok_success');
    expect(await cancel(orderId, {}, '8')).toMatchObject({ status: 404, body: { detail: `order ${orderId} not found` } });
    const orphan = await order(OrderStatus.PENDING, 'tok_success', null);
    expect(await cancel(orphan.orderId)).toMatchObject({ status: 404, body: { detail: 'no workflow for this order' } });
  });

  it('503 when no worker answers in time; the cancel still takes effect once a worker is back', async () => {
    const idle = `idle-${randomUUID()}`;
    const { orderId, handle } = await order(OrderStatus.PAID, 'tok_success', idle);
    expect(await cancel(orderId, { reason: 'changed my mind' })).toMatchObject({ status: 503, body: { type: 'urn:oms:problem:unavailable' } });
    expect((await handle!.describe()).status.name).toBe('RUNNING');
    const back = await Worker.create({ connection: env.nativeConnection, taskQueue: idle, workflowsPath: fixturePath('order-workflow.ts') });
    expect(await back.runUntil(handle!.result())).toEqual({ orderId, status: 'CANCELLED', reason: 'changed my mind' });
  });
});
