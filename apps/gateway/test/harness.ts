/**
 * The real system (Temporal dev server, the four services and the worker as
 * processes, via @oms/testing) with the gateway in-process in front, called
 * over real HTTP.
 */
import { randomUUID } from 'node:crypto';
import { stackEnv, startStack, type Stack } from '@oms/testing';
import { mintToken } from '@oms/platform/tokens';
import { startGateway } from '../src/main';

const jwtSecret = 'test-gateway-jwt-secret-0123456789abcdef';
export const carrierSecret = 'test-carrier-webhook-secret';

export interface Answer {
  status: number;
  contentType: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of many shapes; tests assert on it
  body: any;
  headers: Headers;
}

export interface Harness {
  stack: Stack;
  url: string;
  adminToken: string;
  call(method: string, path: string, options?: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> }): Promise<Answer>;
  startGateway(env: Record<string, string>): ReturnType<typeof startGateway>;
  close(): Promise<(number | null)[]>;
}

export const token = (sub: string, roles: string[] = []) => mintToken(jwtSecret, { sub, roles });

/** `env`: more variables for every app, the gateway too (e.g. where to export traces). */
export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const stack = await startStack({ env });
  const gatewayEnv = (more: Record<string, string> = {}) => ({
    ...stackEnv(stack),
    GATEWAY_JWT_SECRET: jwtSecret,
    CARRIER_WEBHOOK_SECRET: carrierSecret,
    DELIVERY_TIMEOUT_MS: '60000',
    ORDER_AWAIT_CUSTOMER_MS: '60000',
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...env,
    ...more,
  });
  const gateways: { close(): Promise<void> }[] = [];
  const start = async (more: Record<string, string> = {}) => {
    const gateway = await startGateway(gatewayEnv(more));
    gateways.push(gateway);
    return gateway;
  };
  const gateway = await start();
  return {
    stack,
    url: gateway.url,
    adminToken: await token('1', ['admin']),
    async call(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
      if (body !== undefined) headers['content-type'] ??= 'application/json';
      const res = await fetch(`${gateway.url}${path}`, { method, headers, body });
      const text = await res.text();
      const contentType = res.headers.get('content-type') ?? '';
      return { status: res.status, contentType, body: contentType.includes('json') && text ? JSON.parse(text) : text, headers: res.headers };
    },
    startGateway: start,
    async close() {
      for (const g of gateways) await g.close();
      return stack.stop();
    },
  };
}

/** A customer created through the admin API, and a token for them. */
export async function newCustomer(h: Harness): Promise<{ id: string; token: string }> {
  const res = await h.call('POST', '/v1/admin/customers', {
    token: h.adminToken,
    headers: { 'idempotency-key': randomUUID() },
    body: {
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      shippingAddress: { name: 'Ada Lovelace', line1: '12 St James Sq', city: 'London', postalCode: 'SW1Y 4LB', country: 'GB' },
    },
  });
  if (res.status !== 201) throw new Error(`creating a customer answered ${res.status}: ${JSON.stringify(res.body)}`);
  return { id: res.body.id, token: await token(res.body.id) };
}

export async function newProduct(h: Harness, sku: string, stock: number, amountMinor = '1299'): Promise<void> {
  const res = await h.call('POST', '/v1/admin/products', {
    token: h.adminToken,
    body: { sku, name: sku, unitPrice: { amountMinor, currency: 'EUR' }, initialStock: stock },
  });
  if (res.status !== 201) throw new Error(`creating product ${sku} answered ${res.status}: ${JSON.stringify(res.body)}`);
}

export async function placeOrder(h: Harness, customerToken: string, lines: { sku: string; quantity: number }[], paymentToken: string, key = randomUUID()) {
  return h.call('POST', '/v1/orders', { token: customerToken, headers: { 'idempotency-key': key }, body: { lines, paymentToken } });
}

/** Polls until `done` holds for the answer, within a bounded number of tries. */
export async function pollUntil<T>(read: () => Promise<T>, done: (a: T) => boolean, what: string, tries = 150, intervalMs = 200): Promise<T> {
  let last: T | undefined;
  for (let i = 0; i < tries; i++) {
    last = await read();
    if (done(last)) return last;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`gave up waiting for ${what}; last: ${JSON.stringify(last)}`);
}

const terminal = ['COMPLETED', 'CANCELLED', 'DELIVERED'];

export const untilTerminal = (h: Harness, orderId: string, customerToken: string) =>
  pollUntil(
    () => h.call('GET', `/v1/orders/${orderId}`, { token: customerToken }),
    (a) => terminal.includes(a.body?.status),
    `order ${orderId} to finish`,
  );

/** Until the workflow has returned (tracking, if any, has started by then). */
export const untilOutcome = (h: Harness, orderId: string, customerToken: string) =>
  pollUntil(
    () => h.call('GET', `/v1/orders/${orderId}/progress`, { token: customerToken }),
    (a) => a.body?.outcome !== undefined,
    `order ${orderId}'s workflow to end`,
  );
