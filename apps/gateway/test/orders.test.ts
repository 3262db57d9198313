/**
 * Orders through the gateway, end to end on the real system: each saga
 * outcome, cancellation, idempotent replay, and delivery by the carrier's
 * signed webhook.
 */
import { randomUUID } from 'node:crypto';
import { orderWorkflowId } from '@oms/contracts/workflows';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sign } from '../src/routes/carrier';
import { carrierSecret, newCustomer, newProduct, placeOrder, pollUntil, startHarness, untilOutcome, untilTerminal, type Harness } from './harness';

let h: Harness;
let customer: { id: string; token: string };

beforeAll(async () => {
  h = await startHarness();
  customer = await newCustomer(h);
  await newProduct(h, 'GW-MUG', 100, '1500');
  await newProduct(h, 'GW-LAMP', 1, '4000');
});

afterAll(async () => {
  const codes = await h?.close();
  expect(codes?.every((code) => code === 0)).toBe(true);
});

async function executions(orderId: string): Promise<number> {
  let count = 0;
  for await (const _ of h.stack.temporal.client.workflow.list({ query: `WorkflowId = '${orderWorkflowId(orderId)}'` })) count++;
  return count;
}

describe('placing orders', () => {
  it('answers 202 with where to follow the order, which ends COMPLETED with money as strings', async () => {
    const placed = await placeOrder(h, customer.token, [{ sku: 'GW-MUG', quantity: 2 }], 'tok_success');
    expect(placed.status).toBe(202);
    const { orderId } = placed.body;
    expect(placed.body).toEqual({ orderId, status: 'PENDING', statusUrl: `/v1/orders/${orderId}`, progressUrl: `/v1/orders/${orderId}/progress` });

    const done = await untilTerminal(h, orderId, customer.token);
    expect(done.body).toMatchObject({
      id: orderId,
      customerId: customer.id,
      status: 'COMPLETED',
      total: { amountMinor: '3000', currency: 'EUR' },
      items: [{ sku: 'GW-MUG', quantity: 2, unitPrice: { amountMinor: '1500', currency: 'EUR' }, lineTotal: { amountMinor: '3000', currency: 'EUR' } }],
    });
    expect(done.body.history.map((c: { to: string }) => c.to)).toEqual(['PENDING', 'VALIDATED', 'RESERVED', 'PAID', 'SHIPPING', 'COMPLETED']);

    const progress = await untilOutcome(h, orderId, customer.token);
    expect(progress.body.outcome).toMatchObject({ status: 'COMPLETED' });
    expect(progress.body.stepsDone).toContain('arrange shipping');
  });

  it('cancels an order whose payment is declined', async () => {
    const placed = await placeOrder(h, customer.token, [{ sku: 'GW-MUG', quantity: 1 }], 'tok_declined');
    const done = await untilTerminal(h, placed.body.orderId, customer.token);
    expect(done.body).toMatchObject({ status: 'CANCELLED', cancelReason: 'payment declined' });
  });

  it('cancels an order that is out of stock', async () => {
    const placed = await placeOrder(h, customer.token, [{ sku: 'GW-LAMP', quantity: 2 }], 'tok_success');
    const done = await untilTerminal(h, placed.body.orderId, customer.token);
    expect(done.body).toMatchObject({ status: 'CANCELLED', cancelReason: 'out of stock: GW-LAMP' });
  });

  it('cancels a running order on POST /cancel (slow payment: before shipping), and refuses once it is over', async () => {
    const placed = await placeOrder(h, customer.token, [{ sku: 'GW-MUG', quantity: 1 }], 'tok_slow');
    const { orderId } = placed.body;
    await pollUntil(
      () => h.call('GET', `/v1/orders/${orderId}/progress`, { token: customer.token }),
      (a) => a.status === 200 && a.body.currentStep === 'charge payment',
      'the slow charge to begin',
      100,
      50,
    );
    const cancelled = await h.call('POST', `/v1/orders/${orderId}/cancel`, { token: customer.token, body: { reason: 'changed my mind' } });
    expect(cancelled).toMatchObject({ status: 202, body: { accepted: true } });
    const done = await untilTerminal(h, orderId, customer.token);
    expect(done.body).toMatchObject({ status: 'CANCELLED', cancelReason: 'changed my mind' });
    const progress = await untilOutcome(h, orderId, customer.token);
    expect(progress.body.stepsDone).not.toContain('arrange shipping');
    expect(progress.body.compensationsRun.length).toBeGreaterThan(0);

    const again = await h.call('POST', `/v1/orders/${orderId}/cancel`, { token: customer.token });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ type: 'urn:oms:problem:conflict', detail: `order ${orderId} has already ended: CANCELLED` });
  });

  it('refuses to cancel a shipped order once it has completed: 409 saying so, and the order stays COMPLETED', async () => {
    const placed = await placeOrder(h, customer.token, [{ sku: 'GW-MUG', quantity: 1 }], 'tok_success');
    const { orderId } = placed.body;
    await untilOutcome(h, orderId, customer.token);
    const refused = await h.call('POST', `/v1/orders/${orderId}/cancel`, { token: customer.token, body: { reason: 'too late' } });
    expect(refused.status).toBe(409);
    expect(refused.contentType).toContain('application/problem+json');
    expect(refused.body.detail).toBe(`order ${orderId} has already ended: COMPLETED`);
    expect((await h.call('GET', `/v1/orders/${orderId}`, { token: customer.token })).body.status).toBe('COMPLETED');
  });

  it('lists the caller’s orders, newest first, in pages', async () => {
    const first = await h.call('GET', '/v1/orders?limit=2', { token: customer.token });
    expect(first.status).toBe(200);
    expect(first.body.orders).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const next = await h.call('GET', `/v1/orders?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`, { token: customer.token });
    expect(next.body.orders.length).toBeGreaterThan(0);
    expect(next.body.orders[0].id).not.toBe(first.body.orders[1].id);
    const cancelled = await h.call('GET', '/v1/orders?status=CANCELLED&limit=100', { token: customer.token });
    expect(cancelled.body.orders.every((o: { status: string }) => o.status === 'CANCELLED')).toBe(true);
  });
});

describe('idempotent placing', () => {
  it('answers the same order for the same key, with one workflow, even after it finished; another body with that key is 409', async () => {
    const key = randomUUID();
    const lines = [{ sku: 'GW-MUG', quantity: 1 }];
    const first = await placeOrder(h, customer.token, lines, 'tok_success', key);
    const replay = await placeOrder(h, customer.token, lines, 'tok_success', key);
    expect(first.status).toBe(202);
    expect(replay.status).toBe(202);
    expect(replay.body.orderId).toBe(first.body.orderId);

    await untilOutcome(h, first.body.orderId, customer.token);
    const late = await placeOrder(h, customer.token, lines, 'tok_success', key);
    expect(late.body.orderId).toBe(first.body.orderId);
    // Visibility lags a little behind; one execution must show, and never two.
    await pollUntil(
      () => executions(first.body.orderId),
      (n) => n >= 1,
      'the workflow to be listed',
      50,
    );
    expect(await executions(first.body.orderId)).toBe(1);

    const other = await placeOrder(h, customer.token, [{ sku: 'GW-MUG', quantity: 3 }], 'tok_success', key);
    expect(other.status).toBe(409);
    expect(other.contentType).toContain('application/problem+json');
  });
});

describe('delivery by the carrier', () => {
  it('marks the order DELIVERED on a signed webhook, and ignores a badly signed one', async () => {
    const placed = await placeOrder(h, customer.token, [{ sku: 'GW-MUG', quantity: 1 }], 'tok_success');
    const { orderId } = placed.body;
    await untilOutcome(h, orderId, customer.token);
    const body = JSON.stringify({ orderId });

    const forged = await h.call('POST', '/v1/carrier/deliveries', { rawBody: body, headers: { 'x-carrier-signature': sign('not-the-secret', body) } });
    expect(forged.status).toBe(401);
    const unsigned = await h.call('POST', '/v1/carrier/deliveries', { rawBody: body });
    expect(unsigned.status).toBe(401);
    // A signature of another body does not carry over.
    const otherBody = await h.call('POST', '/v1/carrier/deliveries', { rawBody: body, headers: { 'x-carrier-signature': sign(carrierSecret, `${body} `) } });
    expect(otherBody.status).toBe(401);
    await new Promise((r) => setTimeout(r, 500));
    expect((await h.call('GET', `/v1/orders/${orderId}`, { token: customer.token })).body.status).toBe('COMPLETED');

    const signed = await h.call('POST', '/v1/carrier/deliveries', { rawBody: body, headers: { 'x-carrier-signature': sign(carrierSecret, body) } });
    expect(signed.status).toBe(202);
    await pollUntil(
      () => h.call('GET', `/v1/orders/${orderId}`, { token: customer.token }),
      (a) => a.body.status === 'DELIVERED',
      'delivery',
    );
  });

  it('answers 404 for an order nobody is tracking', async () => {
    const body = JSON.stringify({ orderId: '987654321' });
    const res = await h.call('POST', '/v1/carrier/deliveries', { rawBody: body, headers: { 'x-carrier-signature': sign(carrierSecret, body) } });
    expect(res.status).toBe(404);
    expect(res.contentType).toContain('application/problem+json');
  });
});
