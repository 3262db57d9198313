/**
 * POST /v1/orders/:id/amend, and an order waiting for the customer in GET
 * and progress: the gateway in-process in front of an order-service
 * stand-in over Connect, on a real Temporal dev server where a worker runs
 * a stand-in OrderWorkflow with the real amendOrder contract
 * (test/fixtures/amending-order-workflow.ts). The real saga behind the route is
 * tested in apps/orchestrator (workflows.test.ts, e2e.test.ts).
 */
import { randomUUID } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError, createClient, createRouterTransport } from '@connectrpc/connect';
import { OrderSchema, OrderService, OrderStatus, ShortfallSchema, type Order } from '@oms/contracts/order/v1';
import { orderWorkflowId, type OrderLine } from '@oms/contracts/workflows';
import { mintToken } from '@oms/platform/tokens';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jwtSecret, startStandIn, type StandIn } from './stand-in';

const taskQueue = `amend-${randomUUID()}`;
const unitPrice = { MUG: 1000n, PEN: 500n } as Record<string, bigint>;

let standIn: StandIn;
let env: TestWorkflowEnvironment;
let customerToken: string;
/** The stand-in order-service's orders. */
const orders = new Map<string, Order>();

const money = (amountMinor: bigint) => ({ amountMinor, currency: 'EUR' });
const items = (lines: OrderLine[]) =>
  lines.map(({ sku, quantity }) => ({ sku, name: sku, quantity, unitPrice: money(unitPrice[sku]!), lineTotal: money(unitPrice[sku]! * BigInt(quantity)) }));
const total = (lines: OrderLine[]) => money(lines.reduce((sum, { sku, quantity }) => sum + unitPrice[sku]! * BigInt(quantity), 0n));

const at = timestampFromDate(new Date('2026-12-03T09:30:00.000Z'));
/** Customer 7's order `id`. */
const orderOf = (id: string, status: OrderStatus, lines: OrderLine[], shortfall: Order['shortfall'] = []) =>
  create(OrderSchema, { id, customerId: '7', status, items: items(lines), total: total(lines), shortfall, createdAt: at, updatedAt: at });

/** As order-service amends an order: fewer items, repriced, back to VALIDATED. */
async function amendOrder(orderId: string, lines: OrderLine[]) {
  orders.set(orderId, orderOf(orderId, OrderStatus.VALIDATED, lines));
  return { lines, total: { amountMinor: total(lines).amountMinor.toString(), currency: 'EUR' } };
}

beforeAll(async () => {
  const orderService = createClient(
    OrderService,
    createRouterTransport((router) =>
      router.service(OrderService, {
        getOrder: ({ orderId }) => {
          const order = orders.get(orderId);
          if (!order) throw new ConnectError(`order ${orderId} not found`, Code.NotFound);
          return { order };
        },
      }),
    ),
  );
  standIn = await startStandIn('amending-order-workflow.ts', { taskQueue, activities: { amendOrder }, deps: { orders: orderService } });
  ({ env } = standIn);
  customerToken = await mintToken(jwtSecret, { sub: '7' });
});

afterAll(() => standIn?.stop());

/** An order of customer 7 waiting for them (three mugs and a pen, two mugs in stock), with its stand-in workflow running. */
async function waitingOrder(): Promise<string> {
  const id = String(Math.floor(Math.random() * 1e9));
  const lines = [
    { sku: 'MUG', quantity: 3 },
    { sku: 'PEN', quantity: 1 },
  ];
  orders.set(id, orderOf(id, OrderStatus.AWAITING_CUSTOMER, lines, [create(ShortfallSchema, { sku: 'MUG', requested: 3, available: 2 })]));
  await env.client.workflow.start('OrderWorkflow', { taskQueue, workflowId: orderWorkflowId(id), args: [{ orderId: id, paymentToken: 'tok_success' }] });
  return id;
}

const call = (method: 'GET' | 'POST', url: string, { token = customerToken, body }: { token?: string; body?: unknown } = {}) =>
  standIn.call(method, url, { token, body });

const amend = (id: string, lines: unknown, token?: string) => call('POST', `/v1/orders/${id}/amend`, { token, body: { lines } });

describe('an order waiting for the customer', () => {
  it('GET shows AWAITING_CUSTOMER with the shortfall; progress shows the wait and its deadline', async () => {
    const id = await waitingOrder();
    const order = await call('GET', `/v1/orders/${id}`);
    expect(order).toMatchObject({ status: 200, body: { status: 'AWAITING_CUSTOMER', shortfall: [{ sku: 'MUG', requested: 3, available: 2 }] } });
    const progress = await call('GET', `/v1/orders/${id}/progress`);
    expect(progress.body.awaitingCustomer).toEqual({ shortfall: [{ sku: 'MUG', requested: 3, available: 2 }], deadline: '2026-12-03T10:00:00.000Z' });
  });
});

describe('POST /v1/orders/:id/amend', () => {
  it('amends the order: 200 with the order as GET shows it, repriced', async () => {
    const id = await waitingOrder();
    const res = await amend(id, [{ sku: 'MUG', quantity: 2 }]);
    expect(res).toMatchObject({
      status: 200,
      body: { id, status: 'VALIDATED', items: [{ sku: 'MUG', quantity: 2 }], total: { amountMinor: '2000', currency: 'EUR' } },
    });
    expect(res.body).not.toHaveProperty('shortfall');
    expect((await call('GET', `/v1/orders/${id}`)).body).toEqual(res.body);
  });

  it.each([
    ['the validator', [{ sku: 'MUG', quantity: 3 }], 'MUG: only 2 available'],
    ['the handler', [{ sku: 'GONE', quantity: 1 }], 'the stock changed: GONE: only 0 available'],
  ])('409 with the reason when %s refuses, the order unchanged', async (_who, lines, detail) => {
    const id = await waitingOrder();
    const res = await amend(id, lines);
    expect(res).toMatchObject({
      status: 409,
      contentType: expect.stringContaining('application/problem+json'),
      body: { type: 'urn:oms:problem:conflict', status: 409, detail },
    });
    expect((await call('GET', `/v1/orders/${id}`)).body.status).toBe('AWAITING_CUSTOMER');
  });

  it('409 once the saga no longer waits (it finished)', async () => {
    const id = await waitingOrder();
    expect((await amend(id, [{ sku: 'PEN', quantity: 1 }])).status).toBe(200);
    await env.client.workflow.getHandle(orderWorkflowId(id)).result();
    expect(await amend(id, [{ sku: 'PEN', quantity: 1 }])).toMatchObject({ status: 409, body: { detail: 'the order is not waiting for an amendment' } });
  });

  it.each([
    ['no lines', []],
    ['a quantity of 0', [{ sku: 'MUG', quantity: 0 }]],
    ['a fractional quantity', [{ sku: 'MUG', quantity: 1.5 }]],
    ['an unknown field', [{ sku: 'MUG', quantity: 1, price: 1 }]],
    ['lines not a list', { sku: 'MUG', quantity: 1 }],
  ])('400 for a malformed body (%s), naming the field', async (_what, lines) => {
    const id = await waitingOrder();
    const res = await amend(id, lines);
    expect(res).toMatchObject({
      status: 400,
      body: { type: 'urn:oms:problem:validation', errors: [expect.objectContaining({ field: expect.stringMatching(/^\/lines/) })] },
    });
    expect((await call('GET', `/v1/orders/${id}`)).body.status).toBe('AWAITING_CUSTOMER');
  });

  it("404 for another customer's order and for no such order; 401 without a token", async () => {
    const id = await waitingOrder();
    const other = await mintToken(jwtSecret, { sub: '8' });
    expect(await amend(id, [{ sku: 'MUG', quantity: 1 }], other)).toMatchObject({ status: 404, body: { type: 'urn:oms:problem:not-found' } });
    expect((await amend('999999999999', [{ sku: 'MUG', quantity: 1 }])).status).toBe(404);
    expect((await amend(id, [{ sku: 'MUG', quantity: 1 }], '')).status).toBe(401);
    expect((await call('GET', `/v1/orders/${id}`)).body.status).toBe('AWAITING_CUSTOMER');
  });
});

describe('the OpenAPI document', () => {
  it('describes the amend route, its body (the contract’s limits) and answers, and the wait in GET and progress', async () => {
    const spec = (await call('GET', '/docs/json')).body;
    const route = spec.paths['/v1/orders/{id}/amend'].post;
    expect(route.summary).toMatch(/^Amend an order waiting for the customer/);
    expect(route.requestBody.content['application/json'].schema.properties.lines).toMatchObject({ minItems: 1, maxItems: 100 });
    expect(Object.keys(route.responses)).toEqual(expect.arrayContaining(['200', '400', '404', '409']));
    expect(spec.paths['/v1/orders/{id}'].get.responses['200'].content['application/json'].schema.properties).toHaveProperty('shortfall');
    expect(spec.paths['/v1/orders/{id}/progress'].get.responses['200'].content['application/json'].schema.properties).toHaveProperty('awaitingCustomer');
  });
});
