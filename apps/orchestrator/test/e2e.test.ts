/**
 * End to end: the real worker (a process), the four real services (processes,
 * each on its own fresh database) and a real Temporal dev server. Orders with
 * each test token end in the right state, and afterwards money and stock add up;
 * an order short of stock waits for the customer, who amends it.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { OrderStatus } from '@oms/contracts/order/v1';
import { withClient } from '@oms/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amendOrderUpdate, orderDeliveredSignal, orderWorkflowId, statusQuery, trackingWorkflowId, type OrderOutcome } from '@oms/contracts/workflows';
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

    // An order short of stock waits for the customer: tested below.
    const [ok, declined, flaky] = await Promise.all([
      stack.placeOrder(customerId, [{ sku: 'E2E-MUG', quantity: 2 }], 'tok_success'),
      stack.placeOrder(customerId, [{ sku: 'E2E-MUG', quantity: 1 }], 'tok_declined'),
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
    expect(flaky.outcome).toMatchObject({ status: 'COMPLETED' });

    for (const { orderId, outcome } of [ok, declined, flaky]) {
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

  describe('an order short of stock', () => {
    /** Places an order and starts its saga without waiting for the end (the test answers for the customer). */
    async function placeWaiting(lines: { sku: string; quantity: number }[], awaitCustomerMs: number) {
      const customerId = await createCustomer(stack);
      const { order } = await stack.orders.createOrder({ customerId, lines, idempotencyKey: randomUUID() });
      const orderId = order!.id;
      const handle = await stack.temporal.client.workflow.start('OrderWorkflow', {
        taskQueue: stack.taskQueue,
        workflowId: orderWorkflowId(orderId),
        args: [{ orderId, paymentToken: 'tok_success', deliveryTimeoutMs: 60_000, awaitCustomerMs }],
      });
      return { orderId, handle };
    }
    const payments = (orderId: string) =>
      withClient(
        stack.databases['payment-service']!.url,
        async (c) => (await c.query<{ amount_minor: string; status: string }>(`SELECT amount_minor, status FROM payments WHERE order_id = $1`, [orderId])).rows,
      );
    const product = async (sku: string) => (await stack.inventory.getProduct({ sku })).product!;

    it('waits AWAITING_CUSTOMER with the shortfall, is amended, completes, and is charged the new total once', async () => {
      await stack.inventory.createProduct({ sku: 'E2E-PLATE', name: 'Plate', unitPrice: eur(1200n), initialStock: 3, idempotencyKey: randomUUID() });
      await stack.inventory.createProduct({ sku: 'E2E-BOWL', name: 'Bowl', unitPrice: eur(800n), initialStock: 5, idempotencyKey: randomUUID() });
      const { orderId, handle } = await placeWaiting(
        [
          { sku: 'E2E-PLATE', quantity: 5 },
          { sku: 'E2E-BOWL', quantity: 2 },
        ],
        60_000,
      );

      let waiting = (await stack.orders.getOrder({ orderId })).order!;
      while (waiting.status !== OrderStatus.AWAITING_CUSTOMER) {
        expect(waiting.status).toBeOneOf([OrderStatus.PENDING, OrderStatus.VALIDATED]);
        await sleep(50);
        waiting = (await stack.orders.getOrder({ orderId })).order!;
      }
      const shortfall = [{ sku: 'E2E-PLATE', requested: 5, available: 3 }];
      expect(waiting.shortfall.map(({ sku, requested, available }) => ({ sku, requested, available }))).toEqual(shortfall);
      expect((await handle.query(statusQuery)).awaitingCustomer?.shortfall).toEqual(shortfall);
      // Nothing is held while the customer thinks.
      expect((await product('E2E-PLATE')).reserved).toBe(0);

      const amended = await handle.executeUpdate(amendOrderUpdate, {
        args: [
          {
            lines: [
              { sku: 'E2E-PLATE', quantity: 3 },
              { sku: 'E2E-BOWL', quantity: 2 },
            ],
          },
        ],
      });
      expect(amended.total).toEqual({ amountMinor: '5200', currency: 'EUR' });
      const outcome: OrderOutcome = await handle.result();
      expect(outcome).toMatchObject({ status: 'COMPLETED' });

      const { order: done } = await stack.orders.getOrder({ orderId });
      expect(done!.total!.amountMinor).toBe(5200n);
      expect(done!.items.map(({ sku, quantity }) => ({ sku, quantity }))).toEqual([
        { sku: 'E2E-BOWL', quantity: 2 },
        { sku: 'E2E-PLATE', quantity: 3 },
      ]);
      expect(done!.history.map((change) => OrderStatus[change.to])).toEqual([
        'PENDING',
        'VALIDATED',
        'AWAITING_CUSTOMER',
        'VALIDATED',
        'RESERVED',
        'PAID',
        'SHIPPING',
        'COMPLETED',
      ]);
      expect(await payments(orderId)).toEqual([{ amount_minor: '5200', status: expect.not.stringMatching(/DECLINED/) }]);
      expect(await product('E2E-PLATE')).toMatchObject({ available: 0, reserved: 0, committed: 3 });
      expect(await product('E2E-BOWL')).toMatchObject({ available: 3, reserved: 0, committed: 2 });
    });

    it('is cancelled when the customer does not answer in time: nothing charged, nothing held', async () => {
      await stack.inventory.createProduct({ sku: 'E2E-JUG', name: 'Jug', unitPrice: eur(2500n), initialStock: 1, idempotencyKey: randomUUID() });
      const { orderId, handle } = await placeWaiting([{ sku: 'E2E-JUG', quantity: 2 }], 1_000);
      expect(await handle.result()).toEqual({ orderId, status: 'CANCELLED', reason: 'out of stock; no answer from the customer' });
      const { order: cancelled } = await stack.orders.getOrder({ orderId });
      expect(cancelled).toMatchObject({ status: OrderStatus.CANCELLED, cancelReason: 'out of stock; no answer from the customer' });
      expect(await payments(orderId)).toEqual([]);
      expect(await product('E2E-JUG')).toMatchObject({ available: 1, reserved: 0, committed: 0 });
    });
  });
});
