/**
 * `npm run demo`, against a running system (`npm start`): seeds a customer
 * and two products through the gateway's admin API, places four orders
 * (one succeeds, one is declined, one is short of stock and then amended,
 * one is cancelled) and prints how each ended. GATEWAY_URL, or OMS_INSTANCE (its system.json), or
 * OMS_PORT_OFFSET says where the gateway is.
 */
import { randomUUID } from 'node:crypto';
import { devJwtSecret, mintToken } from '@oms/platform/tokens';

const gateway =
  process.env.GATEWAY_URL ??
  (process.env.OMS_INSTANCE
    ? (await import('@oms/devstack')).readSystemState(process.env.OMS_INSTANCE).gatewayUrl
    : `http://127.0.0.1:${8080 + Number(process.env.OMS_PORT_OFFSET ?? 0)}`);
const secret = process.env.GATEWAY_JWT_SECRET ?? devJwtSecret;

// The gateway's JSON, as the demo reads it (the OpenAPI document at /docs/json has the full shapes).
type Json = Record<string, string>;

async function call(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${gateway}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'idempotency-key': randomUUID(), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Json) : {} };
}

async function expectStatus(what: string, expected: number, answer: Promise<{ status: number; json: Json }>): Promise<Json> {
  const { status, json } = await answer;
  if (status !== expected) throw new Error(`${what}: HTTP ${status} ${JSON.stringify(json)}`);
  return json;
}

async function untilStatus(orderId: string, token: string, statuses: string[]): Promise<Json> {
  for (let waited = 0; waited < 90_000; waited += 250) {
    const { json } = await call('GET', `/v1/orders/${orderId}`, token);
    if (statuses.includes(json.status ?? '')) return json;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`order ${orderId} did not reach ${statuses.join(' or ')} within 90 s`);
}

const ready = await fetch(`${gateway}/readyz`).catch(() => undefined);
if (ready?.status !== 200) {
  console.error(`the system at ${gateway} is not ready (${ready ? await ready.text() : 'no answer'}): start it with \`npm start\``);
  process.exit(1);
}

const admin = await mintToken(secret, { sub: 'demo-admin', roles: ['admin'] });
const run = randomUUID().slice(0, 6).toUpperCase();
const customer = await expectStatus(
  'create customer',
  201,
  call('POST', '/v1/admin/customers', admin, {
    name: 'Ada Lovelace',
    email: 'ada@example.com',
    shippingAddress: { name: 'Ada Lovelace', line1: '12 St James Sq', city: 'London', postalCode: 'SW1Y 4LB', country: 'GB' },
  }),
);
const mug = `MUG-${run}`;
const lamp = `LAMP-${run}`;
await expectStatus(
  'create mug',
  201,
  call('POST', '/v1/admin/products', admin, { sku: mug, name: 'Mug', unitPrice: { amountMinor: '1299', currency: 'EUR' }, initialStock: 10 }),
);
await expectStatus(
  'create lamp',
  201,
  call('POST', '/v1/admin/products', admin, { sku: lamp, name: 'Lamp', unitPrice: { amountMinor: '4900', currency: 'EUR' }, initialStock: 1 }),
);
console.log(`seeded customer ${customer.id!}, products ${mug} (10 in stock) and ${lamp} (1 in stock)`);

const token = await mintToken(secret, { sub: customer.id! });
const place = (lines: { sku: string; quantity: number }[], paymentToken: string) =>
  expectStatus('place order', 202, call('POST', '/v1/orders', token, { lines, paymentToken })).then((r) => r.orderId!);

const orders = {
  succeeds: await place([{ sku: mug, quantity: 2 }], 'tok_success'),
  'is declined': await place([{ sku: mug, quantity: 1 }], 'tok_declined'),
  'is short of stock, then amended': await place([{ sku: lamp, quantity: 3 }], 'tok_success'),
  'is cancelled': await place([{ sku: mug, quantity: 1 }], 'tok_slow'),
};
// The slow card gives the customer time to change their mind before shipping.
await expectStatus('cancel order', 202, call('POST', `/v1/orders/${orders['is cancelled']}/cancel`, token, { reason: 'changed my mind' }));
// Three lamps, one in stock: the order waits for the customer, who takes the one.
const short = await untilStatus(orders['is short of stock, then amended'], token, ['AWAITING_CUSTOMER']);
console.log(`order ${short.id} waits for the customer: ${JSON.stringify(short.shortfall)}`);
await expectStatus('amend order', 200, call('POST', `/v1/orders/${short.id}/amend`, token, { lines: [{ sku: lamp, quantity: 1 }] }));

console.log('\n| order | expected to | ended | reason |\n| --- | --- | --- | --- |');
for (const [expected, orderId] of Object.entries(orders)) {
  const order = await untilStatus(orderId, token, ['COMPLETED', 'DELIVERED', 'CANCELLED']);
  console.log(`| ${orderId} | ${expected} | ${order.status} | ${order.cancelReason ?? ''} |`);
}
