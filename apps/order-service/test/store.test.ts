/**
 * The store's writes are all-or-nothing: an order is created with its items
 * and first history row in one transaction, and a status change with its
 * history row; when anything in the transaction fails, nothing is left.
 */
import { randomUUID } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { CreateOrderRequestSchema, CreateOrderResponseSchema, OrderService, UpdateOrderStatusRequestSchema } from '@oms/contracts/order/v1';
import { pgAdapter, withClient } from '@oms/db';
import { cloneTemplate, type TestDatabase } from '@oms/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaClient } from '../src/generated/prisma/client';
import { newId } from '../src/shards/ids';
import { OrderStore } from '../src/store';

let db: TestDatabase;
let prisma: PrismaClient;
let store: OrderStore;
let customerId: bigint;
const bucket = 7;

beforeAll(async () => {
  db = await cloneTemplate('oms_order');
  prisma = new PrismaClient({ adapter: pgAdapter(db.url) });
  store = new OrderStore(prisma);
  await prisma.ownedBucket.create({ data: { bucket, mapVersion: 1 } });
  customerId = (await prisma.customer.create({ data: { id: newId(bucket), bucket, firstName: 'Ada', email: 'ada@example.com' } })).id;
});

afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

const counts = () =>
  withClient(db.url, async (c) => {
    const { rows } = await c.query(`SELECT (SELECT count(*) FROM orders) AS orders, (SELECT count(*) FROM order_items) AS items,
      (SELECT count(*) FROM order_status_history) AS history, (SELECT count(*) FROM idempotency_keys) AS keys`);
    return rows[0] as Record<string, string>;
  });

const item = (sku: string, quantity: number, unitPriceMinor: bigint, lineTotalMinor = unitPriceMinor * BigInt(quantity)) => ({
  sku,
  name: sku,
  quantity,
  unitPriceMinor,
  lineTotalMinor,
});

const createOrderRequest = () => create(CreateOrderRequestSchema, { customerId: customerId.toString(), idempotencyKey: randomUUID() });

describe('one transaction per write', () => {
  it('creates an order with its items and history together, or not at all', async () => {
    const none = { orders: '0', items: '0', history: '0', keys: '0' };
    expect(await counts()).toEqual(none);
    // The second item breaks the line_total = quantity * unit_price CHECK: its insert fails after the order's.
    const priced = { totalMinor: 300n, currency: 'EUR', items: [item('A', 1, 100n), item('B', 2, 100n, 999n)] };
    const failing = store.transact(
      OrderService.method.createOrder,
      createOrderRequest(),
      async (tx) => (await store.createOrder(tx, { id: newId(bucket), bucket }, customerId, priced, null), create(CreateOrderResponseSchema)),
    );
    await expect(failing).rejects.toThrow(/order_items_money_not_negative/);
    expect(await counts()).toEqual(none);

    const good = { ...priced, items: [item('A', 1, 100n), item('B', 2, 100n)] };
    await store.transact(
      OrderService.method.createOrder,
      createOrderRequest(),
      async (tx) => (await store.createOrder(tx, { id: newId(bucket), bucket }, customerId, good, null), create(CreateOrderResponseSchema)),
    );
    expect(await counts()).toEqual({ orders: '1', items: '2', history: '1', keys: '1' });
    // The method names the key's scope, as keys stored before were named: their retries still replay.
    const scopes = await withClient(db.url, async (c) => (await c.query<{ scope: string }>('SELECT scope FROM idempotency_keys')).rows);
    expect(scopes).toEqual([{ scope: 'order.CreateOrder' }]);
  });

  it('moves a status with its history row together, or not at all', async () => {
    const [order] = await prisma.order.findMany({ take: 1 });
    const request = create(UpdateOrderStatusRequestSchema, { orderId: order!.id.toString(), idempotencyKey: randomUUID() });
    const before = await counts();
    const failing = store.transact(OrderService.method.updateOrderStatus, request, async (tx) => {
      await store.updateStatus(tx, order!.id, 'PENDING', 'CANCELLING', 'customer asked');
      throw new Error('the connection dropped');
    });
    await expect(failing).rejects.toThrow('the connection dropped');
    expect(await counts()).toEqual(before);
    expect((await store.getOrder(order!.id))?.status).toBe('PENDING');
  });
});
