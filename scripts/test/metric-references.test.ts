/**
 * Every metric a dashboard or an alert rule queries is exported by a running
 * app, with the labels it matches, so a renamed metric or label cannot
 * silently empty a panel or mute an alert:
 * the real system (the stack, and the gateway as a process) takes two orders
 * through the gateway, one completed and one compensated, so that the
 * labelled series exist, and then every app's /metrics is scraped.
 */
import { randomUUID } from 'node:crypto';
import { startAppProcess, type AppProcess } from '@oms/devstack';
import { freePort } from '@oms/platform';
import { devJwtSecret, mintToken } from '@oms/platform/tokens';
import { stackEnv, startStack, type Stack } from '@oms/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exported, type Exported } from './exposition';
import { deployQueries, metricNames, selectors, seriesMadeByPrometheus } from './metric-references';

let stack: Stack;
let gateway: AppProcess;
let metrics: Exported;

/** Calls the gateway as a client would, failing on any answer but the expected one. */
async function call(path: string, token: string, expected: number, body?: unknown) {
  const res = await fetch(`${gateway.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}`, 'idempotency-key': randomUUID(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = (await res.json()) as { id: string; orderId: string; status: string };
  if (res.status !== expected) throw new Error(`${path} answered ${res.status}: ${JSON.stringify(answer)}`);
  return answer;
}

async function untilTerminal(orderId: string, token: string): Promise<string> {
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
    const { status } = await call(`/v1/orders/${orderId}`, token, 200);
    if (status === 'COMPLETED' || status === 'CANCELLED') return status;
  }
  throw new Error(`order ${orderId} did not finish within 30 s`);
}

beforeAll(async () => {
  stack = await startStack();
  const port = await freePort();
  gateway = await startAppProcess(
    'gateway',
    {
      ...stackEnv(stack),
      LOG_LEVEL: 'warn',
    },
    { port, metricsPort: port, readiness: 'healthz' },
  );

  const admin = await mintToken(devJwtSecret, { sub: '1', roles: ['admin'] });
  const customer = await call('/v1/admin/customers', admin, 201, {
    name: 'Ada Lovelace',
    email: 'ada@example.com',
    shippingAddress: { name: 'Ada Lovelace', line1: '12 St James Sq', city: 'London', postalCode: 'SW1Y 4LB', country: 'GB' },
  });
  await call('/v1/admin/products', admin, 201, { sku: 'METRICS-MUG', name: 'Mug', unitPrice: { amountMinor: '1500', currency: 'EUR' }, initialStock: 5 });
  const token = await mintToken(devJwtSecret, { sub: customer.id });
  const outcomes = await Promise.all(
    ['tok_success', 'tok_declined'].map(async (paymentToken) => {
      const order = await call('/v1/orders', token, 202, { lines: [{ sku: 'METRICS-MUG', quantity: 1 }], paymentToken });
      return untilTerminal(order.orderId, token);
    }),
  );
  expect(outcomes).toEqual(['COMPLETED', 'CANCELLED']);

  const pages = await Promise.all([...Object.values(stack.metricsUrls), `${gateway.url}/metrics`].map(async (url) => (await fetch(url)).text()));
  metrics = exported(pages);
}, 120_000);

afterAll(async () => {
  await gateway?.stop();
  await stack?.stop();
});

describe('what deploy/ queries', () => {
  it('is exported by a running app', () => {
    const queries = deployQueries();
    expect(queries.length).toBeGreaterThan(0);
    const prometheus = seriesMadeByPrometheus();
    const missing = queries.flatMap(({ where, expr }) =>
      metricNames(expr)
        .filter((name) => !metrics.has(name) && !prometheus.has(name))
        .map((name) => `${name} (${where})`),
    );
    expect(missing, `exported: ${metrics.names().join(' ')}`).toEqual([]);
  });

  it('matches labels the exported series have', () => {
    // Prometheus adds job and instance when it scrapes; a metric with no samples yet has no labels to check.
    const added = new Set(['job', 'instance']);
    const missing = deployQueries().flatMap(({ where, expr }) =>
      selectors(expr).flatMap(({ metric, labels }) => {
        const has = metrics.labels(metric);
        return has ? labels.filter((label) => !added.has(label) && !has.has(label)).map((label) => `${metric}{${label}} (${where})`) : [];
      }),
    );
    expect(missing).toEqual([]);
  });
});
