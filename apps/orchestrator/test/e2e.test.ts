/**
 * End to end: the real worker (a process), the four real services (processes,
 * each on its own fresh database) and a real Temporal dev server. Orders with
 * each test token end in the right state, and afterwards money and stock add up.
 */
import { randomUUID } from 'node:crypto';
import { OrderStatus } from '@oms/contracts/order/v1';
import { withClient } from '@oms/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderDeliveredSignal, trackingWorkflowId } from '@oms/contracts/workflows';
import { createCustomer, startStack, type Stack } from '@oms/testing';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  const codes = await stack?.stop();
  expect(codes?.every((code) => code === 0)).toBe(true);
});

const eur = (amountMinor: bigint) => ({ amountMinor, currency: 'EUR' });

describe('the order saga, end to end', () => {
  it('ends each order in the right state, and money and stock add up', async () => {
    const { orders, inventory, temporal } = stack;
    const customerId = await createCustomer(stack);
    const initial = { 'E2E-MUG': 10, 'E2E-LAMP': 1 };
    await inventory.createProduct({ sku: 'E2E-MUG', name: 'Mug', unitPrice: eur(1500n), initialStock: initial['E2E-MUG'], idempotencyKey: randomUUID() });
    await inventory.createProduct({ sku: 'E2E-LAMP', name: 'Lamp', unitPrice: eur(4000n), initialStock: initial['E2E-LAMP'], idempotencyKey: randomUUID() });

    const [ok, declined, outOfStock, flaky] = await Promise.all([
      stack.placeOrder(customerId, [{ sku: 'E2E-MUG', quantity: 2 }], 'tok_success'),
      stack.placeOrder(customerId, [{ sku: 'E2E-MUG', quantity: 1 }], 'tok_declined'),
      stack.placeOrder(customerId, [{ sku: 'E2E-LAMP', quantity: 2 }], 'tok_success'),
      stack.placeOrder(
        customerId,
        [
          { sku: 'E2E-MUG', quantity: 1 },
          { sku: 'E2E-LAMP', quantity: 1 },
        ],
        'tok_flaky_2',
      ),
    ]);
    expect(ok.outcome).toMatchObject({ status: 'COMPLETED' });
    expect(ok.outcome.trackingNumber).toMatch(/\w+/);
    expect(declined.outcome).toEqual({ orderId: declined.orderId, status: 'CANCELLED', reason: 'payment declined' });
    expect(outOfStock.outcome).toEqual({ orderId: outOfStock.orderId, status: 'CANCELLED', reason: 'out of stock: E2E-LAMP' });
    expect(flaky.outcome).toMatchObject({ status: 'COMPLETED' });

    for (const { orderId, outcome } of [ok, declined, outOfStock, flaky]) {
      const { order: stored } = await orders.getOrder({ orderId });
      expect(stored!.status).toBe(outcome.status === 'COMPLETED' ? OrderStatus.COMPLETED : OrderStatus.CANCELLED);
      expect(stored!.cancelReason).toBe(outcome.reason ?? '');
    }

    // Money: what was charged minus what was refunded is what the completed orders cost.
    const completedTotal = ok.totalMinor + flaky.totalMinor;
    const { rows } = await withClient(stack.databases['payment-service']!.url, (c) =>
      c.query<{ charged: string; refunded: string }>(
        `SELECT coalesce(sum(amount_minor), 0) AS charged, coalesce(sum(refunded_minor), 0) AS refunded FROM payments WHERE status <> 'DECLINED'`,
      ),
    );
    expect(BigInt(rows[0]!.charged) - BigInt(rows[0]!.refunded)).toBe(completedTotal);

    // Stock: every unit is available, reserved or committed; the completed orders' units are committed.
    for (const [sku, units] of Object.entries(initial)) {
      const { product } = await inventory.getProduct({ sku });
      expect(product!.available + product!.reserved + product!.committed).toBe(units);
      expect(product!.reserved).toBe(0);
    }
    expect((await inventory.getProduct({ sku: 'E2E-MUG' })).product!.committed).toBe(3);
    expect((await inventory.getProduct({ sku: 'E2E-LAMP' })).product!.committed).toBe(1);

    // Delivery: the carrier's signal reaches the tracking workflow, which marks the order DELIVERED.
    const tracking = temporal.client.workflow.getHandle(trackingWorkflowId(ok.orderId));
    await tracking.signal(orderDeliveredSignal);
    expect(await tracking.result()).toMatchObject({ delivered: true });
    expect((await orders.getOrder({ orderId: ok.orderId })).order!.status).toBe(OrderStatus.DELIVERED);
  });

  it("runs the saga for customers on different order shards, each order staying on its customer's shard", async () => {
    const shardUrls = [stack.databases['order-service']!.url, ...stack.shards['order-service']!.map((db) => db.url)];
    const holders = (table: string, id: string) =>
      Promise.all(shardUrls.map((url) => withClient(url, async (c) => (await c.query(`SELECT 1 FROM ${table} WHERE id = $1`, [id])).rowCount === 1))).then(
        (found) => found.flatMap((here, shard) => (here ? [shard] : [])),
      );
    // New customers' buckets come from their idempotency keys: a few tries find one on each shard.
    const byShard = new Map<number, string>();
    while (byShard.size < shardUrls.length) {
      const customerId = await createCustomer(stack);
      byShard.set((await holders('customers', customerId))[0]!, customerId);
    }
    await stack.inventory.createProduct({ sku: 'E2E-CUP', name: 'Cup', unitPrice: eur(700n), initialStock: 10, idempotencyKey: randomUUID() });
    const placed = await Promise.all(
      [...byShard].map(async ([shard, customerId]) => ({ shard, ...(await stack.placeOrder(customerId, [{ sku: 'E2E-CUP', quantity: 1 }], 'tok_success')) })),
    );
    for (const { shard, orderId, outcome } of placed) {
      expect(outcome).toMatchObject({ status: 'COMPLETED' });
      expect(await holders('orders', orderId)).toEqual([shard]);
    }
  });
});
