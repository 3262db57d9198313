import { randomUUID } from 'node:crypto';
import { Code, type Client } from '@connectrpc/connect';
import { InventoryService, ReservationStatus } from '@oms/contracts/inventory/v1';
import { refusalInfo, serviceClient, type RpcServer } from '@oms/platform';
import { cloneTemplate, newId, rpcError, testServiceEnv, type TestDatabase } from '@oms/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInventoryService } from '../src/main';

let db: TestDatabase;
let server: RpcServer;
let inventory: Client<typeof InventoryService>;

beforeAll(async () => {
  db = await cloneTemplate('oms_inventory');
  server = await startInventoryService(testServiceEnv(db.url));
  inventory = serviceClient(InventoryService, server.url);
});

afterAll(async () => {
  await server?.close();
  await db?.drop();
});

const key = () => randomUUID();
const usd = (amountMinor: bigint) => ({ amountMinor, currency: 'USD' });
let skuCounter = 0;
async function product(stock: number, price = 1999n) {
  const sku = `SKU-${++skuCounter}-${randomUUID().slice(0, 8).toUpperCase()}`;
  const { product } = await inventory.createProduct({ sku, name: `Product ${sku}`, unitPrice: usd(price), initialStock: stock, idempotencyKey: key() });
  return product!;
}

describe('products', () => {
  it('creates, gets and lists products with keyset pages', async () => {
    const a = await product(5);
    expect(a.available).toBe(5);
    expect(a.unitPrice).toMatchObject({ amountMinor: 1999n, currency: 'USD' });
    const { product: got } = await inventory.getProduct({ sku: a.sku });
    expect(got?.name).toBe(a.name);

    const skus = [a.sku, (await product(1)).sku, (await product(2)).sku];
    const first = await inventory.listProducts({ skus, pageSize: 2 });
    expect(first.products).toHaveLength(2);
    expect(first.nextPageToken).not.toBe('');
    const second = await inventory.listProducts({ skus, pageSize: 2, pageToken: first.nextPageToken });
    expect(second.products).toHaveLength(1);
    expect(second.nextPageToken).toBe('');
    expect([...first.products, ...second.products].map((p) => p.sku)).toEqual([...skus].sort());
  });

  it('refuses a second product with the same sku', async () => {
    const a = await product(1);
    const error = await rpcError(inventory.createProduct({ sku: a.sku, name: 'again', unitPrice: usd(1n), initialStock: 0, idempotencyKey: key() }));
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(error.rawMessage).toContain(`product ${a.sku} already exists`);
  });

  it('names every invalid field and writes nothing', async () => {
    const error = await rpcError(
      inventory.createProduct({ sku: 'bad sku', name: '', unitPrice: { amountMinor: -1n, currency: 'XXY' }, initialStock: -3, idempotencyKey: key() }),
    );
    expect(error.code).toBe(Code.InvalidArgument);
    for (const field of ['sku:', 'name:', 'unit_price.currency:', 'unit_price.amount_minor:', 'initial_stock:']) {
      expect(error.rawMessage).toContain(field);
    }
    expect((await rpcError(inventory.getProduct({ sku: 'bad sku' }))).code).toBe(Code.InvalidArgument);
  });

  it('rejects an empty page token that was tampered with', async () => {
    const error = await rpcError(inventory.listProducts({ pageToken: '!!!' }));
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.rawMessage).toContain('page_token');
  });

  it('adjusts stock but never below zero', async () => {
    const a = await product(3);
    const { product: up } = await inventory.adjustStock({ sku: a.sku, delta: 4, reason: 'delivery', idempotencyKey: key() });
    expect(up?.available).toBe(7);
    const error = await rpcError(inventory.adjustStock({ sku: a.sku, delta: -8, reason: 'shrinkage', idempotencyKey: key() }));
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(error.rawMessage).toContain(`insufficient stock for sku ${a.sku}`);
    expect((await inventory.getProduct({ sku: a.sku })).product?.available).toBe(7);
    expect((await rpcError(inventory.adjustStock({ sku: 'NOPE', delta: 1, reason: 'x', idempotencyKey: key() }))).code).toBe(Code.NotFound);
  });
});

describe('idempotency', () => {
  it('replays the first result for the same key and request, with no second effect', async () => {
    const a = await product(10);
    const request = { sku: a.sku, delta: 5, reason: 'delivery', idempotencyKey: key() };
    const first = await inventory.adjustStock(request);
    const again = await inventory.adjustStock(request);
    expect(again.product?.available).toBe(15);
    expect(again).toEqual(first);
    expect((await inventory.getProduct({ sku: a.sku })).product?.available).toBe(15);
  });

  it('rejects the same key with a different request as ALREADY_EXISTS', async () => {
    const a = await product(10);
    const idempotencyKey = key();
    await inventory.adjustStock({ sku: a.sku, delta: 5, reason: 'delivery', idempotencyKey });
    const error = await rpcError(inventory.adjustStock({ sku: a.sku, delta: 6, reason: 'delivery', idempotencyKey }));
    expect(error.code).toBe(Code.AlreadyExists);
    expect((await inventory.getProduct({ sku: a.sku })).product?.available).toBe(15);
  });

  it('replays a refusal too', async () => {
    const a = await product(1);
    const request = { orderId: newId(), lines: [{ sku: a.sku, quantity: 2 }], idempotencyKey: key() };
    const first = await rpcError(inventory.reserveStock(request));
    await inventory.adjustStock({ sku: a.sku, delta: 5, reason: 'restock', idempotencyKey: key() });
    const again = await rpcError(inventory.reserveStock(request));
    expect(first.code).toBe(Code.FailedPrecondition);
    expect(again.rawMessage).toBe(first.rawMessage);
    // What callers read (the orchestrator: the sku) replays too, not only the message.
    const info = { reason: 'INSUFFICIENT_STOCK', metadata: { sku: a.sku, available: '1', requested: '2' } };
    expect(refusalInfo(first)).toMatchObject(info);
    expect(refusalInfo(again)).toMatchObject(info);
  });

  it('requires a key', async () => {
    const error = await rpcError(inventory.adjustStock({ sku: 'X', delta: 1, reason: 'r', idempotencyKey: '' }));
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.rawMessage).toContain('idempotency_key');
  });
});

describe('reservations', () => {
  it('reserves, commits, and keeps available + reserved + committed constant', async () => {
    const a = await product(10);
    const b = await product(4);
    const orderId = newId();
    const { reservation } = await inventory.reserveStock({
      orderId,
      lines: [
        { sku: a.sku, quantity: 3 },
        { sku: b.sku, quantity: 4 },
      ],
      idempotencyKey: key(),
    });
    expect(reservation?.status).toBe(ReservationStatus.RESERVED);
    expect((await inventory.getProduct({ sku: a.sku })).product).toMatchObject({ available: 7, reserved: 3, committed: 0 });

    const committed = await inventory.commitReservation({ orderId, idempotencyKey: key() });
    expect(committed.reservation?.status).toBe(ReservationStatus.COMMITTED);
    expect((await inventory.getProduct({ sku: b.sku })).product).toMatchObject({ available: 0, reserved: 0, committed: 4 });
    expect((await inventory.getReservation({ orderId })).reservation?.lines).toHaveLength(2);
  });

  it('releases committed units too, when the sale is undone before the goods left', async () => {
    const a = await product(6);
    const orderId = newId();
    await inventory.reserveStock({ orderId, lines: [{ sku: a.sku, quantity: 4 }], idempotencyKey: key() });
    await inventory.commitReservation({ orderId, idempotencyKey: key() });
    const { reservation } = await inventory.releaseReservation({ orderId, reason: 'shipping failed', idempotencyKey: key() });
    expect(reservation?.status).toBe(ReservationStatus.RELEASED);
    expect((await inventory.getProduct({ sku: a.sku })).product).toMatchObject({ available: 6, reserved: 0, committed: 0 });
  });

  it('reserves all lines or none, naming the short sku', async () => {
    const a = await product(10);
    const b = await product(1);
    const error = await rpcError(
      inventory.reserveStock({
        orderId: newId(),
        lines: [
          { sku: a.sku, quantity: 2 },
          { sku: b.sku, quantity: 2 },
        ],
        idempotencyKey: key(),
      }),
    );
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(error.rawMessage).toContain(`insufficient stock for sku ${b.sku}`);
    expect((await inventory.getProduct({ sku: a.sku })).product).toMatchObject({ available: 10, reserved: 0 });
  });

  it('releases a reservation and returns the stock', async () => {
    const a = await product(5);
    const orderId = newId();
    await inventory.reserveStock({ orderId, lines: [{ sku: a.sku, quantity: 5 }], idempotencyKey: key() });
    const { reservation } = await inventory.releaseReservation({ orderId, reason: 'cancelled', idempotencyKey: key() });
    expect(reservation?.status).toBe(ReservationStatus.RELEASED);
    expect((await inventory.getProduct({ sku: a.sku })).product).toMatchObject({ available: 5, reserved: 0 });
    const again = await inventory.releaseReservation({ orderId, reason: 'twice', idempotencyKey: key() });
    expect(again.reservation?.status).toBe(ReservationStatus.RELEASED);
    expect((await inventory.getProduct({ sku: a.sku })).product?.available).toBe(5);
    expect((await rpcError(inventory.commitReservation({ orderId, idempotencyKey: key() }))).code).toBe(Code.FailedPrecondition);
  });

  it('releasing before reserving fences off a late reservation', async () => {
    const a = await product(5);
    const orderId = newId();
    const { reservation } = await inventory.releaseReservation({ orderId, reason: 'compensation', idempotencyKey: key() });
    expect(reservation).toMatchObject({ status: ReservationStatus.RELEASED, lines: [] });
    const error = await rpcError(inventory.reserveStock({ orderId, lines: [{ sku: a.sku, quantity: 1 }], idempotencyKey: key() }));
    expect(error.code).toBe(Code.FailedPrecondition);
    expect((await inventory.getProduct({ sku: a.sku })).product?.available).toBe(5);
  });

  it('validates reservation requests field by field', async () => {
    const error = await rpcError(
      inventory.reserveStock({
        orderId: '',
        lines: [
          { sku: 'A', quantity: 0 },
          { sku: 'A', quantity: -1 },
        ],
        idempotencyKey: key(),
      }),
    );
    expect(error.code).toBe(Code.InvalidArgument);
    for (const field of ['order_id:', 'lines[0].quantity:', 'lines: sku A appears on more than one line', 'lines[1].quantity:'])
      expect(error.rawMessage).toContain(field);
    expect((await rpcError(inventory.reserveStock({ orderId: newId(), lines: [], idempotencyKey: key() }))).rawMessage).toContain('lines:');
    expect((await rpcError(inventory.getReservation({ orderId: newId() }))).code).toBe(Code.NotFound);
  });

  it('lets exactly 10 of 50 concurrent 1-unit reservations through against stock 10', async () => {
    const a = await product(10);
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => inventory.reserveStock({ orderId: newId(), lines: [{ sku: a.sku, quantity: 1 }], idempotencyKey: key() })),
    );
    const refused = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
    expect(refused).toHaveLength(40);
    for (const reason of refused) {
      expect(reason.code).toBe(Code.FailedPrecondition);
      expect(reason.rawMessage).toContain(`insufficient stock for sku ${a.sku}`);
    }
    expect((await inventory.getProduct({ sku: a.sku })).product).toMatchObject({ available: 0, reserved: 10 });
  });
});
