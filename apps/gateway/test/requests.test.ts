/**
 * What the gateway refuses and what it serves besides orders: authentication
 * and roles, validation as problem+json (with nothing written), rate limits,
 * readiness, the OpenAPI docs and metrics.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '@oms/platform/tokens';
import { newCustomer, newProduct, placeOrder, startHarness, token, untilTerminal, type Answer, type Harness } from './harness';

let h: Harness;
let ada: { id: string; token: string };
let bob: { id: string; token: string };
let adaOrderId: string;

beforeAll(async () => {
  h = await startHarness();
  [ada, bob] = [await newCustomer(h), await newCustomer(h)];
  await newProduct(h, 'RQ-MUG', 50);
  const placed = await placeOrder(h, ada.token, [{ sku: 'RQ-MUG', quantity: 1 }], 'tok_success');
  adaOrderId = placed.body.orderId;
  await untilTerminal(h, adaOrderId, ada.token);
});

afterAll(async () => {
  const codes = await h?.close();
  expect(codes?.every((code) => code === 0)).toBe(true);
});

function expectProblem(res: Answer, status: number) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.contentType).toContain('application/problem+json');
  expect(res.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status, detail: expect.any(String) });
}

describe('who may do what', () => {
  it('answers 401 without a token, or with one not signed by the gateway', async () => {
    expectProblem(await h.call('GET', '/v1/orders'), 401);
    expectProblem(await h.call('GET', `/v1/orders/${adaOrderId}`), 401);
    const forged = await mintToken('some-other-secret-that-is-long-enough', { sub: ada.id });
    expectProblem(await h.call('GET', `/v1/orders/${adaOrderId}`, { token: forged }), 401);
    expectProblem(await h.call('GET', '/v1/orders', { token: 'not-a-jwt' }), 401);
  });

  it("answers 404 for another customer's order (as for an unknown one); admins may read it", async () => {
    expectProblem(await h.call('GET', `/v1/orders/${adaOrderId}`, { token: bob.token }), 404);
    expectProblem(await h.call('GET', `/v1/orders/${adaOrderId}/progress`, { token: bob.token }), 404);
    expectProblem(await h.call('POST', `/v1/orders/${adaOrderId}/cancel`, { token: bob.token, body: {} }), 404);
    expectProblem(await h.call('GET', '/v1/orders/999999999', { token: ada.token }), 404);
    expect((await h.call('GET', '/v1/orders', { token: bob.token })).body.orders).toEqual([]);
    const asAdmin = await h.call('GET', `/v1/orders/${adaOrderId}`, { token: h.adminToken });
    expect(asAdmin.status).toBe(200);
    expect(asAdmin.body.customerId).toBe(ada.id);
  });

  it('answers 403 to a customer on the admin routes', async () => {
    const headers = { 'idempotency-key': randomUUID() };
    expectProblem(await h.call('POST', '/v1/admin/customers', { token: ada.token, headers, body: {} }), 403);
    expectProblem(await h.call('POST', '/v1/admin/products', { token: ada.token, body: {} }), 403);
    expectProblem(await h.call('POST', '/v1/admin/products/RQ-MUG/stock-adjustments', { token: ada.token, headers, body: {} }), 403);
    expectProblem(await h.call('POST', '/v1/admin/products', { body: {} }), 401);
    expectProblem(await h.call('GET', '/v1/admin/orders', { token: ada.token }), 403);
    expectProblem(await h.call('GET', '/v1/admin/orders/counts', { token: ada.token }), 403);
  });

  it("lets an admin list every customer's orders and count them by status", async () => {
    const list = await h.call('GET', '/v1/admin/orders?pageSize=100', { token: h.adminToken });
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ nextPageToken: null, missingShards: [] });
    expect(list.body.orders.map((o: { id: string }) => o.id)).toContain(adaOrderId);
    const counts = await h.call('GET', '/v1/admin/orders/counts', { token: h.adminToken });
    expect(counts.status).toBe(200);
    expect(counts.body.missingShards).toEqual([]);
    expect(counts.body.total).toBe(list.body.orders.length);
    expect(counts.body.counts.reduce((sum: number, c: { count: number }) => sum + c.count, 0)).toBe(counts.body.total);
  });

  it('lets an admin adjust stock, idempotently', async () => {
    const headers = { 'idempotency-key': randomUUID() };
    const body = { delta: 5, reason: 'recount' };
    const first = await h.call('POST', '/v1/admin/products/RQ-MUG/stock-adjustments', { token: h.adminToken, headers, body });
    const replay = await h.call('POST', '/v1/admin/products/RQ-MUG/stock-adjustments', { token: h.adminToken, headers, body });
    expect(first.status).toBe(200);
    expect(replay.body.available).toBe(first.body.available);
    expect(first.body.unitPrice).toEqual({ amountMinor: '1299', currency: 'EUR' });
    expectProblem(
      await h.call('POST', '/v1/admin/products/NOPE/stock-adjustments', { token: h.adminToken, headers: { 'idempotency-key': randomUUID() }, body }),
      404,
    );
  });
});

describe('bad requests', () => {
  const good = { lines: [{ sku: 'RQ-MUG', quantity: 1 }], paymentToken: 'tok_success' };
  const orderCount = async () => (await h.stack.orders.listOrders({ customerId: ada.id, pageSize: 100 })).orders.length;
  const post = (body: unknown, headers: Record<string, string> = { 'idempotency-key': randomUUID() }) =>
    h.call('POST', '/v1/orders', { token: ada.token, headers, body });

  it.each([
    ['an unknown field', { ...good, coupon: 'FREE' }, '/coupon'],
    ['an unknown field in a line', { ...good, lines: [{ sku: 'RQ-MUG', quantity: 1, price: 1 }] }, '/lines/0/price'],
    ['a wrong type', { ...good, lines: [{ sku: 'RQ-MUG', quantity: '1' }] }, '/lines/0/quantity'],
    ['a negative quantity', { ...good, lines: [{ sku: 'RQ-MUG', quantity: -1 }] }, '/lines/0/quantity'],
    ['a zero quantity', { ...good, lines: [{ sku: 'RQ-MUG', quantity: 0 }] }, '/lines/0/quantity'],
    ['a quantity over 10000', { ...good, lines: [{ sku: 'RQ-MUG', quantity: 10_001 }] }, '/lines/0/quantity'],
    ['too many lines', { ...good, lines: Array.from({ length: 101 }, (_, i) => ({ sku: `S-${i}`, quantity: 1 })) }, '/lines'],
    ['no lines', { ...good, lines: [] }, '/lines'],
    ['a missing field', { lines: good.lines }, '/paymentToken'],
    ['a sku in lower case', { ...good, lines: [{ sku: 'rq-mug', quantity: 1 }] }, '/lines/0/sku'],
    ['a blank payment token', { ...good, paymentToken: '   ' }, '/paymentToken'],
    ['a payment token with a control character', { ...good, paymentToken: 'tok_success\n' }, '/paymentToken'],
  ])('answers 400 naming the field for %s, and writes nothing', async (_what, body, field) => {
    const before = await orderCount();
    const res = await post(body);
    expectProblem(res, 400);
    expect(res.body.errors).toContainEqual({ field, message: expect.any(String) });
    expect(res.body.detail).toContain(field);
    expect(await orderCount()).toBe(before);
  });

  it('says "/lines/0/quantity must be >= 1" for a negative quantity', async () => {
    const res = await post({ ...good, lines: [{ sku: 'RQ-MUG', quantity: -1 }] });
    expect(res.body.errors).toEqual([{ field: '/lines/0/quantity', message: 'must be >= 1' }]);
  });

  it('answers 400 without an Idempotency-Key, or with one too long, and writes nothing', async () => {
    const before = await orderCount();
    const missing = await post(good, {});
    expectProblem(missing, 400);
    expect(missing.body.errors).toContainEqual({ field: 'idempotency-key', message: 'is required' });
    const tooLong = await post(good, { 'idempotency-key': 'k'.repeat(201) });
    expectProblem(tooLong, 400);
    expect(tooLong.body.errors[0].field).toBe('idempotency-key');
    expect(await orderCount()).toBe(before);
  });

  it('answers 413 for a body over 64 KiB, and 400 for malformed JSON; writes nothing', async () => {
    const before = await orderCount();
    const huge = { ...good, paymentToken: 'x'.repeat(70 * 1024) };
    expectProblem(await post(huge), 413);
    expectProblem(await h.call('POST', '/v1/orders', { token: ada.token, headers: { 'idempotency-key': randomUUID() }, rawBody: '{"lines": [' }), 400);
    expect(await orderCount()).toBe(before);
  });

  it("maps order-service's INVALID_ARGUMENT to 400 naming the field: an unknown sku", async () => {
    const before = await orderCount();
    const res = await post({ ...good, lines: [good.lines[0], { sku: 'NO-SUCH-SKU', quantity: 1 }] });
    expectProblem(res, 400);
    expect(res.body.errors).toEqual([{ field: '/lines/1/sku', message: 'unknown sku NO-SUCH-SKU' }]);
    expect(await orderCount()).toBe(before);
  });

  it('refuses control characters in a sku with 400 naming the field (the contract, not Postgres, says no)', async () => {
    const before = await orderCount();
    const res = await post({ ...good, lines: [{ sku: 'MUG\u0000', quantity: 1 }] });
    expectProblem(res, 400);
    expect(res.body.errors).toEqual([{ field: '/lines/0/sku', message: expect.stringContaining('upper-case letters') }]);
    expect(await orderCount()).toBe(before);
  });

  it("refuses an admin's bad product or stock adjustment by the contract's rules, naming the field", async () => {
    const admin = (path: string, body: unknown) => h.call('POST', path, { token: h.adminToken, headers: { 'idempotency-key': randomUUID() }, body });
    const product = { sku: 'RQ-BAD', name: 'Bad', unitPrice: { amountMinor: '100', currency: 'EUR' }, initialStock: 1 };
    const adjustment = { delta: 1, reason: 'recount' };
    const before = (await h.stack.inventory.getProduct({ sku: 'RQ-MUG' })).product?.available;
    const cases: [string, unknown, string][] = [
      ['/v1/admin/products', { ...product, unitPrice: { amountMinor: '100', currency: 'XYZ' } }, '/unitPrice/currency'],
      ['/v1/admin/products', { ...product, name: ' ' }, '/name'],
      ['/v1/admin/products/RQ-MUG/stock-adjustments', { ...adjustment, delta: 1_000_001 }, '/delta'],
      ['/v1/admin/products/RQ-MUG/stock-adjustments', { ...adjustment, delta: 0 }, '/delta'],
      ['/v1/admin/products/RQ-MUG/stock-adjustments', { ...adjustment, reason: '' }, '/reason'],
      ['/v1/admin/products/rq-mug/stock-adjustments', adjustment, 'sku'],
    ];
    for (const [path, body, field] of cases) {
      const res = await admin(path, body);
      expectProblem(res, 400);
      expect(res.body.errors, `${path} ${JSON.stringify(body)}`).toEqual([{ field, message: expect.any(String) }]);
    }
    await expect(h.stack.inventory.getProduct({ sku: 'RQ-BAD' })).rejects.toThrow('not found');
    expect((await h.stack.inventory.getProduct({ sku: 'RQ-MUG' })).product?.available).toBe(before);
  });

  it('answers 404 as a problem for an unknown route', async () => {
    expectProblem(await h.call('GET', '/v2/nothing'), 404);
  });
});

describe('rate limits', () => {
  it('limits each customer separately, with a 429 problem', async () => {
    const gateway = await h.startGateway({ RATE_LIMIT_PER_MINUTE: '3' });
    const get = (bearer: string) => fetch(`${gateway.url}/v1/orders`, { headers: { authorization: `Bearer ${bearer}` } });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await get(ada.token)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await get(ada.token);
    expect(limited.headers.get('content-type')).toContain('application/problem+json');
    expect(limited.headers.get('retry-after')).toEqual(expect.any(String));
    expect((await get(await token(bob.id))).status).toBe(200);
  });
});

describe('operations', () => {
  it('is ready with everything up', async () => {
    const res = await h.call('GET', '/readyz');
    expect(res.status).toBe(200);
    expect(res.body.checks).toEqual({ 'order-service': 'up', 'payment-service': 'up', 'inventory-service': 'up', 'shipping-service': 'up', temporal: 'up' });
    expect((await h.call('GET', '/healthz')).status).toBe(200);
  });

  it('serves the docs, with the OpenAPI document generated from the routes', async () => {
    const ui = await h.call('GET', '/docs');
    expect(ui.status).toBe(200);
    expect(ui.contentType).toContain('text/html');
    const spec = await h.call('GET', '/docs/json');
    expect(spec.body.openapi).toMatch(/^3\./);
    expect(spec.body.paths['/v1/orders'].post.requestBody).toBeDefined();
    expect(spec.body.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('counts requests per route on /metrics', async () => {
    const res = await h.call('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.body).toMatch(/http_requests_total\{[^}]*method="POST",route="\/v1\/orders",status="202"/);
    expect(res.body).toMatch(/http_requests_total\{[^}]*route="\/v1\/orders\/:id",status="404"/);
    expect(res.body).toContain('http_request_duration_seconds_bucket');
    expect(res.body).toContain('process_cpu_seconds_total');
  });
});
