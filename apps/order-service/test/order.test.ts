import { randomUUID } from 'node:crypto';
import { Code, type Client } from '@connectrpc/connect';
import { toJson } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { OrderSchema, OrderService, OrderStatus, type Order } from '@oms/contracts/order/v1';
import { withClient } from '@oms/db';
import { serviceClient, type RpcServer } from '@oms/platform';
import { freePort } from '@oms/platform';
import { cloneTemplate, fieldViolations, rpcError, testServiceEnv, type TestDatabase } from '@oms/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOrderService } from '../src/main';
import { startFakeInventory, type FakeInventory } from './fake-inventory';

const statuses = ['PENDING', 'VALIDATED', 'RESERVED', 'PAID', 'SHIPPING', 'COMPLETED', 'DELIVERED', 'CANCELLING', 'CANCELLED', 'AWAITING_CUSTOMER'] as const;
type Status = (typeof statuses)[number];
// The state machine as the proto describes it, written out independently of src/domain.ts.
const allowed = new Set([
  'PENDING>VALIDATED',
  'VALIDATED>RESERVED',
  'RESERVED>PAID',
  'PAID>SHIPPING',
  'SHIPPING>COMPLETED',
  'COMPLETED>DELIVERED',
  ...['PENDING', 'VALIDATED', 'RESERVED', 'PAID', 'SHIPPING'].map((s) => `${s}>CANCELLING`),
  'CANCELLING>CANCELLED',
  'VALIDATED>AWAITING_CUSTOMER',
  'AWAITING_CUSTOMER>VALIDATED',
  'AWAITING_CUSTOMER>CANCELLING',
]);
const pathTo: Record<Status, Status[]> = {
  PENDING: [],
  VALIDATED: ['VALIDATED'],
  RESERVED: ['VALIDATED', 'RESERVED'],
  PAID: ['VALIDATED', 'RESERVED', 'PAID'],
  SHIPPING: ['VALIDATED', 'RESERVED', 'PAID', 'SHIPPING'],
  COMPLETED: ['VALIDATED', 'RESERVED', 'PAID', 'SHIPPING', 'COMPLETED'],
  DELIVERED: ['VALIDATED', 'RESERVED', 'PAID', 'SHIPPING', 'COMPLETED', 'DELIVERED'],
  CANCELLING: ['CANCELLING'],
  CANCELLED: ['CANCELLING', 'CANCELLED'],
  AWAITING_CUSTOMER: ['VALIDATED', 'AWAITING_CUSTOMER'],
};

let db: TestDatabase;
let inventory: FakeInventory;
let server: RpcServer;
let orders: Client<typeof OrderService>;

beforeAll(async () => {
  db = await cloneTemplate('oms_order');
  inventory = await startFakeInventory();
  server = await startOrderService({ ...testServiceEnv(db.url), INVENTORY_SERVICE_URL: inventory.server.url });
  orders = serviceClient(OrderService, server.url);
});

afterAll(async () => {
  await server?.close();
  await inventory?.server.close();
  await db?.drop();
});

const key = () => randomUUID();
const address = { name: 'Ada Lovelace', line1: '1 Analytical Way', line2: '', city: 'London', postalCode: 'N1 9GU', country: 'GB' };

async function customer(withAddress = true) {
  const { customer } = await orders.createCustomer({
    name: 'Ada Lovelace',
    email: 'ada@example.com',
    shippingAddress: withAddress ? address : undefined,
    idempotencyKey: key(),
  });
  return customer!;
}

const stock = (amountMinor: bigint, currency?: string) => inventory.stock(amountMinor, currency);

async function placeOrder(customerId?: string, lines = [{ sku: stock(1000n), quantity: 1 }]): Promise<Order> {
  const { order } = await orders.createOrder({ customerId: customerId ?? (await customer()).id, lines, idempotencyKey: key() });
  return order!;
}

/** What a move to AWAITING_CUSTOMER says: the order's first item short, none in stock. */
const firstItemShort = (order: Order) => [{ sku: order.items[0]!.sku, requested: order.items[0]!.quantity, available: 0 }];

function move(order: Order, from: Status, to: Status, reason = `test: ${to}`) {
  return orders.updateOrderStatus({
    orderId: order.id,
    expectedStatus: OrderStatus[from],
    newStatus: OrderStatus[to],
    reason,
    shortfall: to === 'AWAITING_CUSTOMER' ? firstItemShort(order) : [],
    idempotencyKey: key(),
  });
}

/** A fresh order driven along allowed moves to `status`. */
async function orderAt(status: Status): Promise<Order> {
  let order = await placeOrder();
  let current: Status = 'PENDING';
  for (const next of pathTo[status]) {
    order = (await move(order, current, next)).order!;
    current = next;
  }
  expect(order.status).toBe(OrderStatus[status]);
  return order;
}

const countRows = () =>
  withClient(db.url, async (client) => {
    const { rows } = await client.query(
      `SELECT (SELECT count(*) FROM customers) AS customers, (SELECT count(*) FROM orders) AS orders,
              (SELECT count(*) FROM order_items) AS items, (SELECT count(*) FROM order_status_history) AS history`,
    );
    return rows[0] as Record<string, string>;
  });

describe('customers', () => {
  it('creates and gets a customer, replaying the same key', async () => {
    const request = { name: 'Grace Hopper', email: 'grace@example.com', shippingAddress: address, idempotencyKey: key() };
    const before = await countRows();
    const { customer: created } = await orders.createCustomer(request);
    const again = await orders.createCustomer(request);
    expect(again.customer?.id).toBe(created?.id);
    expect(Number((await countRows()).customers)).toBe(Number(before.customers) + 1);
    const { customer: got } = await orders.getCustomer({ customerId: created!.id });
    expect(got).toMatchObject({
      name: 'Grace Hopper',
      firstName: 'Grace',
      lastName: 'Hopper',
      email: 'grace@example.com',
      shippingAddress: { city: 'London', country: 'GB' },
    });
    const conflict = await rpcError(orders.createCustomer({ ...request, name: 'Someone Else' }));
    expect(conflict.code).toBe(Code.AlreadyExists);
  });

  it('takes a full name, split at its first space, or first and last name', async () => {
    const create = async (names: { name?: string; firstName?: string; lastName?: string }) =>
      (await orders.createCustomer({ ...names, email: 'n@example.com', idempotencyKey: key() })).customer;
    expect(await create({ name: 'Plato' })).toMatchObject({ name: 'Plato', firstName: 'Plato', lastName: '' });
    expect(await create({ name: ' Ada King Lovelace ' })).toMatchObject({ name: 'Ada King Lovelace', firstName: 'Ada', lastName: 'King Lovelace' });
    expect(await create({ firstName: 'Mary Ann', lastName: 'Smith' })).toMatchObject({ name: 'Mary Ann Smith', firstName: 'Mary Ann', lastName: 'Smith' });
    const both = await rpcError(create({ name: 'Ada Lovelace', firstName: 'Ada' }));
    expect(both.rawMessage).toBe('name: give either name or first_name and last_name, not both');
    const lastOnly = await rpcError(create({ lastName: 'Lovelace' }));
    expect(lastOnly.rawMessage).toBe('first_name: is required');
  });

  it('keeps a customer without an address', async () => {
    const { customer: got } = await orders.getCustomer({ customerId: (await customer(false)).id });
    expect(got?.shippingAddress).toBeUndefined();
  });

  it('names every invalid field and writes nothing', async () => {
    const before = await countRows();
    const error = await rpcError(
      orders.createCustomer({ name: '', email: 'not-an-email', shippingAddress: { ...address, city: '', country: 'Britain' }, idempotencyKey: key() }),
    );
    expect(error.code).toBe(Code.InvalidArgument);
    // The contract's rules (protovalidate) come first; the naming rule across fields is the domain's.
    expect(fieldViolations(error)).toEqual(['email', 'shipping_address.city', 'shipping_address.country']);
    const unnamed = await rpcError(orders.createCustomer({ name: ' ', email: 'a@example.com', idempotencyKey: key() }));
    expect(fieldViolations(unnamed)).toEqual(['name']);
    const control = await rpcError(orders.createCustomer({ name: 'Ada\u0000', email: 'a@example.com', idempotencyKey: key() }));
    expect(control.rawMessage).toBe('name: must not contain control characters');
    expect(await countRows()).toEqual(before);
    expect((await rpcError(orders.getCustomer({ customerId: 'abc' }))).rawMessage).toContain('customer_id:');
    const missing = await rpcError(orders.getCustomer({ customerId: '987654321' }));
    expect(missing.code).toBe(Code.NotFound);
    expect(missing.rawMessage).toBe('customer 987654321 not found');
  });
});

describe('CreateOrder', () => {
  it('prices the lines from inventory with exact BigInt totals, and keeps the price snapshot', async () => {
    const cheap = stock(1999n);
    const dear = stock(4_503_599_627_370_497n); // 2^52 + 1: doubling it leaves the safe-integer range
    const c = await customer();
    const order = await placeOrder(c.id, [
      { sku: dear, quantity: 2 },
      { sku: cheap, quantity: 3 },
    ]);
    expect(order).toMatchObject({ customerId: c.id, status: OrderStatus.PENDING, total: { amountMinor: 9_007_199_254_746_991n, currency: 'USD' } });
    expect(order.items.map((i) => [i.sku, i.name, i.quantity, i.unitPrice?.amountMinor, i.lineTotal?.amountMinor])).toEqual([
      [cheap, `Product ${cheap}`, 3, 1999n, 5997n],
      [dear, `Product ${dear}`, 2, 4_503_599_627_370_497n, 9_007_199_254_740_994n],
    ]);
    inventory.products.set(cheap, { ...inventory.products.get(cheap)!, unitPrice: { amountMinor: 1n, currency: 'USD' } });
    const { order: got } = await orders.getOrder({ orderId: order.id });
    expect(got?.items[0]?.unitPrice?.amountMinor).toBe(1999n);
    expect(got?.total?.amountMinor).toBe(9_007_199_254_746_991n);
  });

  it('replays the same key without a second order or a second inventory call', async () => {
    const c = await customer();
    const request = { customerId: c.id, lines: [{ sku: stock(500n), quantity: 2 }], idempotencyKey: key() };
    const first = await orders.createOrder(request);
    const calls = inventory.listProductsCalls();
    const again = await orders.createOrder(request);
    expect(again).toEqual(first);
    expect(inventory.listProductsCalls()).toBe(calls);
    expect((await orders.listOrders({ customerId: c.id })).orders.map((o) => o.id)).toEqual([first.order!.id]);
    const conflict = await rpcError(orders.createOrder({ ...request, lines: [{ sku: request.lines[0]!.sku, quantity: 3 }] }));
    expect(conflict.code).toBe(Code.AlreadyExists);
    expect((await orders.listOrders({ customerId: c.id })).orders).toHaveLength(1);
  });

  it('keeps the payment token with the order for ListPendingOrders, never answering it in an Order', async () => {
    const c = await customer();
    const request = { customerId: c.id, lines: [{ sku: stock(700n), quantity: 1 }], idempotencyKey: key(), paymentToken: 'tok_kept' };
    const { order } = await orders.createOrder(request);
    const { order: untokened } = await orders.createOrder({ ...request, paymentToken: '', idempotencyKey: key() });
    const stored = await withClient(db.url, (c) =>
      c.query<{ id: string; payment_token: string | null }>('SELECT id::text, payment_token FROM orders WHERE id = ANY($1::bigint[]) ORDER BY id', [
        [order!.id, untokened!.id],
      ]),
    );
    expect(Object.fromEntries(stored.rows.map((r) => [r.id, r.payment_token]))).toEqual({ [order!.id]: 'tok_kept', [untokened!.id]: null });
    const answers = [order, untokened, (await orders.getOrder({ orderId: order!.id })).order, ...(await orders.listOrders({ customerId: c.id })).orders];
    expect(answers.map((a) => JSON.stringify(toJson(OrderSchema, a!)))).not.toContainEqual(expect.stringContaining('tok_kept'));

    const { orders: pending } = await orders.listPendingOrders({ createdBefore: timestampFromDate(new Date(Date.now() + 60_000)), pageSize: 100 });
    expect(pending.filter((p) => p.customerId === c.id).map(({ orderId, paymentToken }) => ({ orderId, paymentToken }))).toEqual([
      { orderId: order!.id, paymentToken: 'tok_kept' },
      { orderId: untokened!.id, paymentToken: '' },
    ]);
    // Once the order has moved on, it is no candidate.
    await move(order!, 'PENDING', 'VALIDATED');
    const after = await orders.listPendingOrders({ createdBefore: timestampFromDate(new Date(Date.now() + 60_000)), pageSize: 100 });
    expect(after.orders.filter((p) => p.customerId === c.id).map((p) => p.orderId)).toEqual([untokened!.id]);
  });

  it('refuses a blank payment token or one with control characters, writing nothing', async () => {
    const c = await customer();
    const before = await countRows();
    for (const paymentToken of ['   ', 'tok\u0000', 'x'.repeat(201)]) {
      const error = await rpcError(orders.createOrder({ customerId: c.id, lines: [{ sku: stock(100n), quantity: 1 }], idempotencyKey: key(), paymentToken }));
      expect(error.code).toBe(Code.InvalidArgument);
      expect(fieldViolations(error)).toEqual(['payment_token']);
    }
    expect(await countRows()).toEqual(before);
  });

  it('refuses bad orders naming the field, writing nothing', async () => {
    const c = await customer();
    const sku = stock(100n);
    const before = await countRows();
    const cases: [lines: { sku: string; quantity: number }[], code: Code, message: string][] = [
      [
        [
          { sku, quantity: 1 },
          { sku: 'NOPE', quantity: 1 },
        ],
        Code.InvalidArgument,
        'lines[1].sku: unknown sku NOPE',
      ],
      [[], Code.InvalidArgument, 'lines: must contain at least 1 item(s)'],
      [[{ sku, quantity: 0 }], Code.InvalidArgument, 'lines[0].quantity: must be greater than 0'],
      [[{ sku, quantity: -2 }], Code.InvalidArgument, 'lines[0].quantity: must be greater than 0'],
      [
        [
          { sku, quantity: 1 },
          { sku, quantity: 2 },
        ],
        Code.InvalidArgument,
        `lines: sku ${sku} appears on more than one line`,
      ],
      [[{ sku: `${sku}\u0000`, quantity: 1 }], Code.InvalidArgument, 'lines[0].sku: must be 1 to 64 upper-case letters'],
    ];
    for (const [lines, code, message] of cases) {
      const error = await rpcError(orders.createOrder({ customerId: c.id, lines, idempotencyKey: key() }));
      expect(error.code).toBe(code);
      expect(error.rawMessage).toContain(message);
    }
    const unknownCustomer = await rpcError(orders.createOrder({ customerId: '987654321', lines: [{ sku, quantity: 1 }], idempotencyKey: key() }));
    expect(unknownCustomer.code).toBe(Code.NotFound);
    expect(unknownCustomer.rawMessage).toBe('customer 987654321 not found');
    const badId = await rpcError(orders.createOrder({ customerId: '0x1', lines: [{ sku, quantity: 1 }], idempotencyKey: key() }));
    expect(badId.rawMessage).toContain('customer_id:');
    expect(await countRows()).toEqual(before);
  });

  it('refuses lines in different currencies, and replays the refusal', async () => {
    const c = await customer();
    const request = {
      customerId: c.id,
      lines: [
        { sku: stock(100n, 'USD'), quantity: 1 },
        { sku: stock(100n, 'EUR'), quantity: 1 },
      ],
      idempotencyKey: key(),
    };
    const before = await countRows();
    const error = await rpcError(orders.createOrder(request));
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(error.rawMessage).toContain('different currencies');
    expect((await rpcError(orders.createOrder(request))).rawMessage).toBe(error.rawMessage);
    expect(await countRows()).toEqual(before);
  });

  it('is UNAVAILABLE when inventory cannot be reached', async () => {
    const closedPort = await freePort();
    const cut = await startOrderService({ ...testServiceEnv(db.url), INVENTORY_SERVICE_URL: `http://127.0.0.1:${closedPort}` });
    try {
      const c = await customer();
      const before = await countRows();
      const error = await rpcError(
        serviceClient(OrderService, cut.url).createOrder({ customerId: c.id, lines: [{ sku: stock(1n), quantity: 1 }], idempotencyKey: key() }),
      );
      expect(error.code).toBe(Code.Unavailable);
      expect(error.rawMessage).toContain('inventory-service unavailable');
      expect(await countRows()).toEqual(before);
    } finally {
      await cut.close();
    }
  });
});

describe('GetOrder', () => {
  it('returns items and the history, oldest first', async () => {
    const order = await orderAt('PAID');
    const { order: got } = await orders.getOrder({ orderId: order.id });
    expect(got?.items).toHaveLength(1);
    expect(got?.history.map((h) => [h.from, h.to, h.reason])).toEqual([
      [OrderStatus.UNSPECIFIED, OrderStatus.PENDING, 'order placed'],
      [OrderStatus.PENDING, OrderStatus.VALIDATED, 'test: VALIDATED'],
      [OrderStatus.VALIDATED, OrderStatus.RESERVED, 'test: RESERVED'],
      [OrderStatus.RESERVED, OrderStatus.PAID, 'test: PAID'],
    ]);
    expect(order.history).toEqual([]);
    expect((await rpcError(orders.getOrder({ orderId: '987654321' }))).code).toBe(Code.NotFound);
    expect((await rpcError(orders.getOrder({ orderId: '-1' }))).rawMessage).toContain('order_id:');
  });
});

describe('ListOrders', () => {
  it('pages newest first, filters by status and bounds the page size', async () => {
    const c = await customer();
    const placed: Order[] = [];
    for (let i = 0; i < 23; i++) placed.push(await placeOrder(c.id));
    const newestFirst = placed.map((o) => o.id).reverse();

    const first = await orders.listOrders({ customerId: c.id });
    expect(first.orders.map((o) => o.id)).toEqual(newestFirst.slice(0, 20));
    expect(first.orders[0]?.items).toHaveLength(1);
    expect(first.orders[0]?.history).toEqual([]);
    const rest = await orders.listOrders({ customerId: c.id, pageToken: first.nextPageToken });
    expect(rest.orders.map((o) => o.id)).toEqual(newestFirst.slice(20));
    expect(rest.nextPageToken).toBe('');

    const max = await orders.listOrders({ customerId: c.id, pageSize: 100 });
    expect(max.orders).toHaveLength(23);
    for (const pageSize of [101, -1]) {
      expect((await rpcError(orders.listOrders({ customerId: c.id, pageSize }))).rawMessage).toContain('page_size:');
    }

    await move(placed[3]!, 'PENDING', 'CANCELLING');
    await move(placed[7]!, 'PENDING', 'CANCELLING');
    const cancelling = await orders.listOrders({ customerId: c.id, status: OrderStatus.CANCELLING, pageSize: 1 });
    expect(cancelling.orders.map((o) => o.id)).toEqual([placed[7]!.id]);
    const next = await orders.listOrders({ customerId: c.id, status: OrderStatus.CANCELLING, pageSize: 1, pageToken: cancelling.nextPageToken });
    expect(next.orders.map((o) => o.id)).toEqual([placed[3]!.id]);
    expect(next.nextPageToken).toBe('');
  });

  it('refuses forged tokens and a missing customer', async () => {
    const c = await customer();
    const forged = [
      '!!!',
      Buffer.from('["yesterday","1"]').toString('base64url'),
      Buffer.from('["2026-01-01T00:00:00.000Z","1; DROP TABLE orders"]').toString('base64url'),
      Buffer.from('{"id":"1"}').toString('base64url'),
    ];
    for (const pageToken of forged) {
      const error = await rpcError(orders.listOrders({ customerId: c.id, pageToken }));
      expect(error.code).toBe(Code.InvalidArgument);
      expect(error.rawMessage).toContain('page_token:');
    }
    expect((await rpcError(orders.listOrders({ customerId: '' }))).rawMessage).toContain('customer_id:');
    expect((await rpcError(orders.listOrders({ customerId: c.id, status: 42 as OrderStatus }))).rawMessage).toContain('status:');
  });

  it('neither skips nor repeats an order when orders are added between pages', async () => {
    const c = await customer();
    const placed: string[] = [];
    for (let i = 0; i < 7; i++) placed.unshift((await placeOrder(c.id)).id);
    const seen: string[] = [];
    let page = await orders.listOrders({ customerId: c.id, pageSize: 3 });
    seen.push(...page.orders.map((o) => o.id));
    for (let i = 0; i < 4; i++) await placeOrder(c.id);
    while (page.nextPageToken !== '') {
      page = await orders.listOrders({ customerId: c.id, pageSize: 3, pageToken: page.nextPageToken });
      seen.push(...page.orders.map((o) => o.id));
    }
    expect(seen).toEqual(placed);
  });
});

describe('UpdateOrderStatus', () => {
  it('makes every allowed move and records it in the history', async () => {
    for (const pair of allowed) {
      const [from, to] = pair.split('>') as [Status, Status];
      const order = await orderAt(from);
      const { order: moved } = await move(order, from, to, `because ${pair}`);
      expect(moved?.status, pair).toBe(OrderStatus[to]);
      const { order: got } = await orders.getOrder({ orderId: order.id });
      expect(got?.history.at(-1), pair).toMatchObject({ from: OrderStatus[from], to: OrderStatus[to], reason: `because ${pair}` });
      expect(got?.history, pair).toHaveLength(pathTo[from].length + 2);
    }
  });

  it('refuses every move outside the state machine and changes nothing', async () => {
    let refusedCount = 0;
    for (const from of statuses) {
      const order = await orderAt(from);
      for (const to of statuses.filter((s) => !allowed.has(`${from}>${s}`))) {
        const error = await rpcError(move(order, from, to, 'not allowed'));
        expect(error.code, `${from}>${to}`).toBe(Code.FailedPrecondition);
        expect(error.rawMessage).toBe(`cannot move order ${order.id} from ${from} to ${to}`);
        refusedCount++;
      }
      const { order: got } = await orders.getOrder({ orderId: order.id });
      expect(got?.status).toBe(OrderStatus[from]);
      expect(got?.history).toHaveLength(pathTo[from].length + 1);
    }
    expect(refusedCount).toBe(statuses.length ** 2 - allowed.size);
  });

  it('refuses a move from a status the order no longer has', async () => {
    const order = await orderAt('VALIDATED');
    const error = await rpcError(move(order, 'PENDING', 'CANCELLING'));
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(error.rawMessage).toBe(`order ${order.id} is VALIDATED, not PENDING`);
    expect((await orders.getOrder({ orderId: order.id })).order?.status).toBe(OrderStatus.VALIDATED);
  });

  it('needs a reason to cancel, and keeps it for the customer', async () => {
    const order = await orderAt('CANCELLING');
    const error = await rpcError(move(order, 'CANCELLING', 'CANCELLED', ''));
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.rawMessage).toContain('reason:');
    const { order: cancelled } = await move(order, 'CANCELLING', 'CANCELLED', 'payment was declined');
    expect(cancelled).toMatchObject({ status: OrderStatus.CANCELLED, cancelReason: 'payment was declined' });
  });

  it('validates the request and reports a missing order', async () => {
    const error = await rpcError(
      orders.updateOrderStatus({ orderId: 'x', expectedStatus: OrderStatus.UNSPECIFIED, newStatus: 99 as OrderStatus, reason: '', idempotencyKey: key() }),
    );
    expect(error.code).toBe(Code.InvalidArgument);
    for (const field of ['order_id:', 'expected_status:', 'new_status:']) expect(error.rawMessage).toContain(field);
    const missing = await rpcError(
      orders.updateOrderStatus({
        orderId: '987654321',
        expectedStatus: OrderStatus.PENDING,
        newStatus: OrderStatus.VALIDATED,
        reason: '',
        idempotencyKey: key(),
      }),
    );
    expect(missing.code).toBe(Code.NotFound);
  });

  it('replays the same key with one history row', async () => {
    const order = await placeOrder();
    const request = {
      orderId: order.id,
      expectedStatus: OrderStatus.PENDING,
      newStatus: OrderStatus.CANCELLING,
      reason: 'customer asked',
      idempotencyKey: key(),
    };
    const first = await orders.updateOrderStatus(request);
    expect(await orders.updateOrderStatus(request)).toEqual(first);
    expect((await orders.getOrder({ orderId: order.id })).order?.history).toHaveLength(2);
    expect((await rpcError(orders.updateOrderStatus({ ...request, reason: 'other' }))).code).toBe(Code.AlreadyExists);
  });
});

describe('ValidateOrder', () => {
  it('moves a PENDING order to VALIDATED once, and returns a VALIDATED one as it is', async () => {
    const order = await placeOrder();
    const { order: validated, shippingAddress } = await orders.validateOrder({ orderId: order.id, idempotencyKey: key() });
    expect(validated?.status).toBe(OrderStatus.VALIDATED);
    // The saga ships to the address it gets here, and never reads the customer again.
    const { customer } = await orders.getCustomer({ customerId: order.customerId });
    expect(shippingAddress).toEqual(customer?.shippingAddress);
    expect(shippingAddress?.line1).toMatch(/\w/);
    const { order: again } = await orders.validateOrder({ orderId: order.id, idempotencyKey: key() });
    expect(again?.status).toBe(OrderStatus.VALIDATED);
    const { order: got } = await orders.getOrder({ orderId: order.id });
    expect(got?.history.map((h) => [h.from, h.to, h.reason])).toEqual([
      [OrderStatus.UNSPECIFIED, OrderStatus.PENDING, 'order placed'],
      [OrderStatus.PENDING, OrderStatus.VALIDATED, 'validated'],
    ]);
  });

  it('refuses, saying why, and leaves the order PENDING', async () => {
    const noAddress = await placeOrder((await customer(false)).id);
    const free = await placeOrder(undefined, [{ sku: stock(0n), quantity: 2 }]);
    const empty = await placeOrder();
    await withClient(db.url, (client) => client.query('DELETE FROM order_items WHERE order_id = $1', [empty.id]));
    const cases: [Order, string][] = [
      [noAddress, 'its customer has no shipping address'],
      [free, 'its total is not positive'],
      [empty, 'it has no items'],
    ];
    for (const [order, why] of cases) {
      const error = await rpcError(orders.validateOrder({ orderId: order.id, idempotencyKey: key() }));
      expect(error.code).toBe(Code.FailedPrecondition);
      expect(error.rawMessage).toBe(`order ${order.id} cannot be validated: ${why}`);
      expect((await orders.getOrder({ orderId: order.id })).order?.status).toBe(OrderStatus.PENDING);
    }
    const cancelling = await orderAt('CANCELLING');
    const error = await rpcError(orders.validateOrder({ orderId: cancelling.id, idempotencyKey: key() }));
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(error.rawMessage).toContain(`order ${cancelling.id} is CANCELLING`);
    expect((await rpcError(orders.validateOrder({ orderId: '987654321', idempotencyKey: key() }))).code).toBe(Code.NotFound);
  });
});

/** An order of these lines, validated, then awaiting its customer because `short` is short. */
async function awaitingCustomer(lines: { sku: string; quantity: number }[], short: { sku: string; requested: number; available: number }[]) {
  const order = await placeOrder(undefined, lines);
  await move(order, 'PENDING', 'VALIDATED');
  const { order: awaiting } = await orders.updateOrderStatus({
    orderId: order.id,
    expectedStatus: OrderStatus.VALIDATED,
    newStatus: OrderStatus.AWAITING_CUSTOMER,
    reason: `out of stock: ${short.map((s) => s.sku).join(', ')}`,
    shortfall: short,
    idempotencyKey: key(),
  });
  return awaiting!;
}

const shortfallOf = (order: Order | undefined) => order?.shortfall.map(({ sku, requested, available }) => ({ sku, requested, available }));

describe('AWAITING_CUSTOMER', () => {
  it('keeps the shortfall while the order awaits its customer, in every Order, and clears it when the order moves on', async () => {
    const [mug, lamp] = [stock(1000n), stock(5000n)];
    const short = [{ sku: mug, requested: 3, available: 1 }];
    const order = await awaitingCustomer(
      [
        { sku: mug, quantity: 3 },
        { sku: lamp, quantity: 2 },
      ],
      short,
    );
    expect(order.status).toBe(OrderStatus.AWAITING_CUSTOMER);
    expect(shortfallOf(order)).toEqual(short);
    const { order: got } = await orders.getOrder({ orderId: order.id });
    expect(got?.status).toBe(OrderStatus.AWAITING_CUSTOMER);
    expect(shortfallOf(got)).toEqual(short);
    expect(got?.history.at(-1)).toMatchObject({ from: OrderStatus.VALIDATED, to: OrderStatus.AWAITING_CUSTOMER, reason: `out of stock: ${mug}` });
    const { orders: listed } = await orders.listOrders({ customerId: order.customerId });
    expect(shortfallOf(listed[0])).toEqual(short);

    const { order: cancelling } = await move(order, 'AWAITING_CUSTOMER', 'CANCELLING', 'customer cancelled');
    expect(cancelling?.shortfall).toEqual([]);
    expect((await orders.getOrder({ orderId: order.id })).order?.shortfall).toEqual([]);
  });

  it('refuses a shortfall with another status, none with AWAITING_CUSTOMER, and one that is not the order’s, changing nothing', async () => {
    const order = await orderAt('VALIDATED');
    const sku = order.items[0]!.sku;
    const before = await countRows();
    const update = (newStatus: OrderStatus, shortfall: { sku: string; requested: number; available: number }[]) =>
      rpcError(
        orders.updateOrderStatus({ orderId: order.id, expectedStatus: OrderStatus.VALIDATED, newStatus, reason: 'test', shortfall, idempotencyKey: key() }),
      );
    const cases: [OrderStatus, { sku: string; requested: number; available: number }[], string][] = [
      [OrderStatus.RESERVED, [{ sku, requested: 1, available: 0 }], 'shortfall: is allowed only with new_status AWAITING_CUSTOMER'],
      [OrderStatus.AWAITING_CUSTOMER, [], 'shortfall: is required with new_status AWAITING_CUSTOMER'],
      [OrderStatus.AWAITING_CUSTOMER, [{ sku: 'NOPE', requested: 1, available: 0 }], 'shortfall[0].sku: sku NOPE is not an item of the order'],
      [OrderStatus.AWAITING_CUSTOMER, [{ sku, requested: 2, available: 0 }], `shortfall[0].requested: sku ${sku}: 1 units ordered, not 2`],
      [OrderStatus.AWAITING_CUSTOMER, [{ sku, requested: 1, available: 1 }], 'shortfall[0].available: must be at least 0 and less than requested (1)'],
      [
        OrderStatus.AWAITING_CUSTOMER,
        [
          { sku, requested: 1, available: 0 },
          { sku, requested: 1, available: 0 },
        ],
        `shortfall[1].sku: sku ${sku} appears on more than one line`,
      ],
    ];
    for (const [newStatus, shortfall, message] of cases) {
      const error = await update(newStatus, shortfall);
      expect(error.code, message).toBe(Code.InvalidArgument);
      expect(error.rawMessage).toBe(message);
    }
    expect(await countRows()).toEqual(before);
    expect((await orders.getOrder({ orderId: order.id })).order?.status).toBe(OrderStatus.VALIDATED);
  });
});

describe('AmendOrder', () => {
  const amend = (orderId: string, lines: { sku: string; quantity: number }[], idempotencyKey = key()) => orders.amendOrder({ orderId, lines, idempotencyKey });

  it('reduces and drops lines at the prices the order was placed at, back to VALIDATED with what changed in its history', async () => {
    const [mug, lamp, plant] = [stock(1000n), stock(5000n), stock(700n)];
    const order = await awaitingCustomer(
      [
        { sku: mug, quantity: 3 },
        { sku: lamp, quantity: 2 },
        { sku: plant, quantity: 1 },
      ],
      [{ sku: mug, requested: 3, available: 1 }],
    );
    expect(order.total?.amountMinor).toBe(13_700n);
    // Inventory's price now is not the order's.
    inventory.products.set(mug, { ...inventory.products.get(mug)!, unitPrice: { amountMinor: 1n, currency: 'USD' } });

    const { order: amended } = await amend(order.id, [
      { sku: plant, quantity: 1 },
      { sku: mug, quantity: 1 },
    ]);
    const { order: got } = await orders.getOrder({ orderId: order.id });
    for (const o of [amended, got]) {
      expect(o).toMatchObject({ status: OrderStatus.VALIDATED, shortfall: [], total: { amountMinor: 1700n, currency: 'USD' } });
      expect(o?.items.map((i) => [i.sku, i.quantity, i.unitPrice?.amountMinor, i.lineTotal?.amountMinor])).toEqual([
        [mug, 1, 1000n, 1000n],
        [plant, 1, 700n, 700n],
      ]);
    }
    expect(got?.history.map((h) => [h.from, h.to, h.reason]).slice(2)).toEqual([
      [OrderStatus.VALIDATED, OrderStatus.AWAITING_CUSTOMER, `out of stock: ${mug}`],
      [OrderStatus.AWAITING_CUSTOMER, OrderStatus.VALIDATED, `amended by the customer: ${mug} 3 → 1, ${lamp} dropped`],
    ]);
  });

  it('refuses an order not awaiting its customer, an sku not in the order and more units than ordered, changing nothing', async () => {
    const [mug, lamp] = [stock(1000n), stock(5000n)];
    const order = await awaitingCustomer(
      [
        { sku: mug, quantity: 3 },
        { sku: lamp, quantity: 1 },
      ],
      [{ sku: lamp, requested: 1, available: 0 }],
    );
    const validated = await orderAt('VALIDATED');
    const before = await countRows();
    const { order: unchanged } = await orders.getOrder({ orderId: order.id });

    const notAwaiting = await rpcError(amend(validated.id, [{ sku: validated.items[0]!.sku, quantity: 1 }]));
    expect(notAwaiting.code).toBe(Code.FailedPrecondition);
    expect(notAwaiting.rawMessage).toBe(`order ${validated.id} is VALIDATED, not AWAITING_CUSTOMER`);
    const cases: [lines: { sku: string; quantity: number }[], message: string][] = [
      [
        [
          { sku: mug, quantity: 1 },
          { sku: 'NOPE', quantity: 1 },
        ],
        'lines[1].sku: sku NOPE is not an item of the order',
      ],
      [[{ sku: mug, quantity: 5 }], `lines[0].quantity: sku ${mug}: at most 3 units (ordered), 5 asked`],
      [[], 'lines: must contain at least 1 item(s)'],
      [[{ sku: mug, quantity: 0 }], 'lines[0].quantity: must be greater than 0'],
      [
        [
          { sku: mug, quantity: 1 },
          { sku: mug, quantity: 2 },
        ],
        `lines: sku ${mug} appears on more than one line`,
      ],
    ];
    for (const [lines, message] of cases) {
      const error = await rpcError(amend(order.id, lines));
      expect(error.code, message).toBe(Code.InvalidArgument);
      expect(error.rawMessage).toContain(message);
    }
    const missing = await rpcError(amend('987654321', [{ sku: mug, quantity: 1 }]));
    expect(missing.code).toBe(Code.NotFound);
    expect(missing.rawMessage).toBe('order 987654321 not found');

    expect(await countRows()).toEqual(before);
    expect((await orders.getOrder({ orderId: order.id })).order).toEqual(unchanged);
    expect((await orders.getOrder({ orderId: validated.id })).order?.status).toBe(OrderStatus.VALIDATED);
  });

  it('replays the same key with the same answer and one change, and refuses the key for another amendment', async () => {
    const [mug, lamp] = [stock(1000n), stock(5000n)];
    const order = await awaitingCustomer(
      [
        { sku: mug, quantity: 3 },
        { sku: lamp, quantity: 1 },
      ],
      [{ sku: mug, requested: 3, available: 2 }],
    );
    const request = { orderId: order.id, lines: [{ sku: mug, quantity: 2 }], idempotencyKey: key() };
    const first = await orders.amendOrder(request);
    expect(await orders.amendOrder(request)).toEqual(first);
    const { order: got } = await orders.getOrder({ orderId: order.id });
    expect(got?.history.filter((h) => h.reason.startsWith('amended'))).toHaveLength(1);
    expect(got?.total?.amountMinor).toBe(2000n);
    const conflict = await rpcError(orders.amendOrder({ ...request, lines: [{ sku: mug, quantity: 1 }] }));
    expect(conflict.code).toBe(Code.AlreadyExists);
    // Now VALIDATED: another amendment is refused, and so is its replay.
    const again = { ...request, lines: [{ sku: lamp, quantity: 1 }], idempotencyKey: key() };
    const refused = await rpcError(orders.amendOrder(again));
    expect(refused.code).toBe(Code.FailedPrecondition);
    expect((await rpcError(orders.amendOrder(again))).rawMessage).toBe(refused.rawMessage);
    expect((await orders.getOrder({ orderId: order.id })).order).toEqual(got);
  });
});
