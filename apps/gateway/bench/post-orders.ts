/**
 * p50/p99 of POST /v1/orders (order-service CreateOrder + starting the
 * workflow) against a running system (`npm start`), one request at a time.
 *   npx tsx bench/post-orders.ts [requests=200]
 */
import { randomUUID } from 'node:crypto';
import { devJwtSecret, mintToken } from '@oms/platform/tokens';

const gateway = process.env.GATEWAY_URL ?? 'http://127.0.0.1:8080';
const count = Number(process.argv[2] ?? 200);
const secret = process.env.GATEWAY_JWT_SECRET ?? devJwtSecret;
const admin = await mintToken(secret, { sub: 'bench', roles: ['admin'] });

async function post(path: string, token: string, body: unknown): Promise<Record<string, string>> {
  const res = await fetch(`${gateway}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, string>;
}

const sku = `BENCH-${randomUUID().slice(0, 6).toUpperCase()}`;
await post('/v1/admin/products', admin, { sku, name: 'Bench', unitPrice: { amountMinor: '100', currency: 'EUR' }, initialStock: count * 2 });
const customer = await post('/v1/admin/customers', admin, {
  name: 'Bench',
  email: 'bench@example.com',
  shippingAddress: { name: 'Bench', line1: '1 Loop Rd', city: 'Berlin', postalCode: '10115', country: 'DE' },
});
const token = await mintToken(secret, { sub: customer.id! });
const times: number[] = [];
for (let i = 1; i <= count; i++) {
  const started = performance.now();
  await post('/v1/orders', token, { lines: [{ sku, quantity: 1 }], paymentToken: 'tok_success' });
  times.push(performance.now() - started);
  if (i % 20 === 0) process.stdout.write(`\r  ${i}/${count} requests`);
}
times.sort((a, b) => a - b);
const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(1);
console.log(
  `\n\n| requests | p50 ms | p90 ms | p99 ms | max ms |\n| --- | --- | --- | --- | --- |\n| ${count} | ${at(0.5)} | ${at(0.9)} | ${at(0.99)} | ${times.at(-1)!.toFixed(1)} |`,
);
