/**
 * Faults a service must survive: its database restarting under it, and
 * being stopped (SIGTERM) with calls in flight.
 */
import { randomUUID } from 'node:crypto';
import { Code } from '@connectrpc/connect';
import { Health, HealthCheckResponse_ServingStatus } from '@oms/contracts/health/v1';
import { InventoryService } from '@oms/contracts/inventory/v1';
import { PaymentService } from '@oms/contracts/payment/v1';
import { postgresServerUrl, startAppProcess } from '@oms/devstack';
import { serviceClient } from '@oms/platform';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { cloneTemplate, rpcError, startTcpProxy } from '../src';

const cleanups: (() => Promise<unknown>)[] = [];

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let waited = 0; !(await check()); waited += 50) {
    if (waited > 10_000) throw new Error('condition not met within 10 s');
    await new Promise((r) => setTimeout(r, 50));
  }
}
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** inventory-service (a process) on a fresh database reached through a proxy the test can cut, with a product of 3 units. */
async function inventoryBehindProxy(env: Record<string, string> = {}) {
  const db = await cloneTemplate('oms_inventory');
  cleanups.push(() => db.drop());
  const server = new URL(postgresServerUrl());
  const proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port || 5432) });
  cleanups.push(() => proxy.close());
  const throughProxy = new URL(db.url);
  throughProxy.port = String(proxy.port);
  const app = await startAppProcess('inventory-service', { DATABASE_URL: throughProxy.toString(), ...env });
  cleanups.push(() => app.stop());
  const inventory = serviceClient(InventoryService, app.url);
  const sku = `FAULT-${randomUUID().slice(0, 8).toUpperCase()}`;
  await inventory.createProduct({ sku, name: 'Fault', unitPrice: { amountMinor: 1n, currency: 'EUR' }, initialStock: 3, idempotencyKey: randomUUID() });
  return { db, proxy, app, inventory, sku };
}

describe('a restarted database', () => {
  it('makes calls UNAVAILABLE and the service NOT_SERVING while it is down, and loses nothing after', async () => {
    const { app, proxy, inventory, sku } = await inventoryBehindProxy();
    const health = serviceClient(Health, app.url);

    await proxy.cut();
    const error = await rpcError(inventory.adjustStock({ sku, delta: 2, reason: 'during outage', idempotencyKey: randomUUID() }));
    expect(error.code).toBe(Code.Unavailable);
    expect((await health.check({})).status).toBe(HealthCheckResponse_ServingStatus.NOT_SERVING);

    await proxy.restore();
    const retry = { sku, delta: 2, reason: 'after outage', idempotencyKey: randomUUID() };
    const { product } = await inventory.adjustStock(retry);
    expect(product?.available).toBe(5);
    expect((await health.check({})).status).toBe(HealthCheckResponse_ServingStatus.SERVING);
  });
});

describe('connections lost mid-transaction', () => {
  it('do not use up the pool: the service serves again once the database is back', async () => {
    // Transactions blocked on a row lock (held from outside the service) are cut off by the outage;
    // more of them than the pool holds, so a leaked connection each would leave none.
    const { db, proxy, inventory, sku } = await inventoryBehindProxy({ DATABASE_POOL_SIZE: '2' });

    const blocker = new pg.Client({ connectionString: db.url });
    await blocker.connect();
    cleanups.push(() => blocker.end());
    await blocker.query('BEGIN');
    await blocker.query('SELECT 1 FROM products WHERE sku = $1 FOR UPDATE', [sku]);
    const adjust = (reason: string) => inventory.adjustStock({ sku, delta: 1, reason, idempotencyKey: randomUUID() });
    const blocked = [1, 2, 3].map((n) => rpcError(adjust(`blocked ${n}`)));
    await until(async () => (await blocker.query(`SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted`)).rows[0].n >= 2);
    await proxy.cut();
    for (const error of await Promise.all(blocked))
      expect([Code.Unavailable, Code.Aborted, Code.DeadlineExceeded, Code.Internal, Code.Unknown]).toContain(error.code);
    await blocker.query('ROLLBACK');
    await proxy.restore();

    const { product } = await inventory.adjustStock({ sku, delta: 2, reason: 'after the outage', idempotencyKey: randomUUID() });
    expect(product?.available).toBe(5);
  });
});

describe('SIGTERM', () => {
  it('lets an in-flight call finish, then exits 0', async () => {
    const db = await cloneTemplate('oms_payment');
    cleanups.push(() => db.drop());
    const app = await startAppProcess('payment-service', { DATABASE_URL: db.url, PAYMENT_PROVIDER_SLOW_MS: '1500' });
    cleanups.push(() => app.stop());
    const payment = serviceClient(PaymentService, app.url);
    const inFlight = payment.charge({
      orderId: '1',
      customerId: '1',
      amount: { amountMinor: 1200n, currency: 'EUR' },
      paymentToken: 'tok_slow',
      idempotencyKey: randomUUID(),
    });
    await new Promise((r) => setTimeout(r, 300));
    const exited = app.stop('SIGTERM');
    const { payment: charged } = await inFlight;
    expect(charged?.amount?.amountMinor).toBe(1200n);
    expect(await exited).toBe(0);
    expect(app.output()).toContain('payment-service stopped');
  });
});
