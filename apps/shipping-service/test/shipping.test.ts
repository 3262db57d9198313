import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { timestampFromMs, timestampMs } from '@bufbuild/protobuf/wkt';
import { Code, type Client } from '@connectrpc/connect';
import { ShipmentStatus, ShippingService, type Shipment } from '@oms/contracts/shipping/v1';
import { withClient } from '@oms/db';
import { serviceClient, type RpcServer } from '@oms/platform';
import { cloneTemplate, newId, rpcError, testServiceEnv, type TestDatabase } from '@oms/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShippingService } from '../src/main';

// Two instances on one database: `shipping`'s carrier confirms after 200 ms,
// `slowShipping`'s after an hour, so a shipment created through it stays
// PENDING for the whole test without any timing assumptions.
let db: TestDatabase;
let server: RpcServer;
let slowServer: RpcServer;
let shipping: Client<typeof ShippingService>;
let slowShipping: Client<typeof ShippingService>;

beforeAll(async () => {
  db = await cloneTemplate('oms_shipping');
  server = await startShippingService({ ...testServiceEnv(db.url), SHIPPING_CARRIER_CONFIRM_MS: '200' });
  slowServer = await startShippingService({ ...testServiceEnv(db.url), SHIPPING_CARRIER_CONFIRM_MS: '3600000' });
  shipping = serviceClient(ShippingService, server.url);
  slowShipping = serviceClient(ShippingService, slowServer.url);
});

afterAll(async () => {
  await server?.close();
  await slowServer?.close();
  await db?.drop();
});

const key = () => randomUUID();
const address = (postalCode = '10115') => ({ name: 'Ada Lovelace', line1: 'Unter den Linden 1', line2: '', city: 'Berlin', postalCode, country: 'DE' });
const lines = [
  { sku: 'SKU-A', quantity: 2 },
  { sku: 'SKU-B', quantity: 1 },
];
const createRequest = (orderId = newId(), postalCode?: string) => ({ orderId, address: address(postalCode), lines, idempotencyKey: key() });

/** Polls until the carrier has confirmed the shipment (bounded: fails after ~5 s). */
async function confirmed(orderId: string): Promise<Shipment> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const { shipment } = await shipping.getShipment({ orderId });
    if (shipment?.status === ShipmentStatus.CONFIRMED) return shipment;
    await sleep(50);
  }
  throw new Error(`shipment for order ${orderId} was not confirmed`);
}

async function eventCount(event: string): Promise<number> {
  const metric = await server.registry.getSingleMetric('shipping_shipments_total')!.get();
  return metric.values.find((v) => v.labels.event === event)?.value ?? 0;
}

describe('shipments', () => {
  it('goes from created to confirmed with a tracking number to delivered', async () => {
    const [created, delivered] = [await eventCount('created'), await eventCount('delivered')];
    const request = createRequest();
    const { shipment } = await shipping.createShipment(request);
    expect(shipment).toMatchObject({ orderId: request.orderId, status: ShipmentStatus.PENDING, address: address(), lines, trackingNumber: '' });
    expect(shipment?.id).toMatch(/^[1-9][0-9]*$/);
    // A PENDING shipment says when the carrier means to confirm it: 200 ms after its creation.
    expect(timestampMs(shipment!.confirmDueAt!) - timestampMs(shipment!.createdAt!)).toBe(200);

    const confirmedShipment = await confirmed(request.orderId);
    expect(confirmedShipment.confirmDueAt).toBeUndefined();
    expect(confirmedShipment.trackingNumber).toMatch(/^SIM[0-9A-F]{16}$/);
    expect(confirmedShipment.confirmedAt).toBeDefined();

    const { shipment: arrived } = await shipping.markDelivered({ orderId: request.orderId, idempotencyKey: key() });
    expect(arrived).toMatchObject({ status: ShipmentStatus.DELIVERED, trackingNumber: confirmedShipment.trackingNumber });
    expect(arrived?.deliveredAt).toBeDefined();
    const { shipment: again } = await shipping.markDelivered({ orderId: request.orderId, idempotencyKey: key() });
    expect(again).toEqual(arrived);
    expect([await eventCount('created'), await eventCount('delivered')]).toEqual([created + 1, delivered + 1]);
  });

  it('delivers a PENDING shipment that is past its due time', async () => {
    const request = createRequest();
    await shipping.createShipment(request);
    await sleep(300); // past the 200 ms due time; nothing has read the shipment yet
    const { shipment } = await shipping.markDelivered({ orderId: request.orderId, idempotencyKey: key() });
    expect(shipment?.status).toBe(ShipmentStatus.DELIVERED);
    expect(shipment?.trackingNumber).not.toBe('');
    expect(shipment?.confirmedAt).toBeDefined();
  });

  it('refuses MarkDelivered before the carrier confirmed, and for an unknown order', async () => {
    const request = createRequest();
    await slowShipping.createShipment(request);
    const error = await rpcError(slowShipping.markDelivered({ orderId: request.orderId, idempotencyKey: key() }));
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(error.rawMessage).toContain('not yet confirmed by the carrier');
    expect((await shipping.getShipment({ orderId: request.orderId })).shipment?.status).toBe(ShipmentStatus.PENDING);
    const missing = await rpcError(shipping.markDelivered({ orderId: newId(), idempotencyKey: key() }));
    expect(missing.code).toBe(Code.NotFound);
    expect((await rpcError(shipping.getShipment({ orderId: newId() }))).code).toBe(Code.NotFound);
  });

  it('refuses a second shipment for the same order', async () => {
    const request = createRequest();
    await shipping.createShipment(request);
    const error = await rpcError(shipping.createShipment({ ...request, idempotencyKey: key() }));
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(error.rawMessage).toBe(`order ${request.orderId} already has a shipment`);
  });

  it('refuses an address the carrier cannot serve and writes nothing', async () => {
    const request = createRequest(newId(), '00000');
    const error = await rpcError(shipping.createShipment(request));
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(error.rawMessage).toBe('carrier cannot deliver to postal code 00000');
    expect((await rpcError(shipping.getShipment({ orderId: request.orderId }))).code).toBe(Code.NotFound);
  });

  it('names every invalid field and writes nothing', async () => {
    const orderId = newId();
    const error = await rpcError(
      shipping.createShipment({
        orderId: '',
        address: { name: '', line1: ' ', line2: '', city: '', postalCode: '', country: 'Germany' },
        lines: [
          { sku: 'A', quantity: 0 },
          { sku: 'A', quantity: 1 },
        ],
        idempotencyKey: key(),
      }),
    );
    expect(error.code).toBe(Code.InvalidArgument);
    for (const field of [
      'order_id:',
      'address.name:',
      'address.line1:',
      'address.city:',
      'address.postal_code:',
      'address.country:',
      'lines[0].quantity:',
      'lines: sku A appears on more than one line',
    ]) {
      expect(error.rawMessage).toContain(field);
    }
    const noAddress = await rpcError(shipping.createShipment({ orderId, lines: [], idempotencyKey: key() }));
    expect(noAddress.rawMessage).toContain('address: value is required');
    expect(noAddress.rawMessage).toContain('lines: must contain at least 1 item(s)');
    expect((await rpcError(shipping.createShipment({ ...createRequest(orderId), idempotencyKey: '' }))).rawMessage).toContain('idempotency_key');
    const cancel = await rpcError(shipping.cancelShipment({ orderId: '', reason: 'x'.repeat(501), idempotencyKey: key() }));
    expect(cancel.rawMessage).toContain('order_id: must be a positive 64-bit integer');
    expect(cancel.rawMessage).toContain('reason: must be at most 500 characters');
    expect((await rpcError(shipping.getShipment({ orderId: '' }))).code).toBe(Code.InvalidArgument);
    expect((await rpcError(shipping.getShipment({ orderId }))).code).toBe(Code.NotFound);
  });
});

describe('idempotency', () => {
  it('replays the first result for the same key and request, with no second effect', async () => {
    const created = await eventCount('created');
    const request = createRequest();
    const first = await shipping.createShipment(request);
    const again = await shipping.createShipment(request);
    expect(again).toEqual(first);
    expect(await eventCount('created')).toBe(created + 1);
  });

  it('rejects the same key with a different request as ALREADY_EXISTS', async () => {
    const request = createRequest();
    await shipping.createShipment(request);
    const error = await rpcError(shipping.createShipment({ ...request, orderId: newId() }));
    expect(error.code).toBe(Code.AlreadyExists);
    expect(error.rawMessage).toContain(request.idempotencyKey);
  });

  it('replays a refusal too', async () => {
    const request = createRequest(newId(), '00000');
    const first = await rpcError(shipping.createShipment(request));
    const again = await rpcError(shipping.createShipment(request));
    expect(again.code).toBe(Code.FailedPrecondition);
    expect(again.rawMessage).toBe(first.rawMessage);
  });
});

describe('cancellation', () => {
  it('cancels before confirmation, and the carrier never confirms it', async () => {
    const request = createRequest();
    await slowShipping.createShipment(request);
    const { shipment } = await slowShipping.cancelShipment({ orderId: request.orderId, reason: 'payment failed', idempotencyKey: key() });
    expect(shipment).toMatchObject({ status: ShipmentStatus.CANCELLED, trackingNumber: '', lines });
    expect(shipment?.cancelledAt).toBeDefined();
    const delivery = await rpcError(shipping.markDelivered({ orderId: request.orderId, idempotencyKey: key() }));
    expect(delivery.code).toBe(Code.FailedPrecondition);
    expect(delivery.rawMessage).toContain('was cancelled');
    expect((await shipping.getShipment({ orderId: request.orderId })).shipment?.status).toBe(ShipmentStatus.CANCELLED);
  });

  it('cancels after confirmation, and a second cancel returns it as it is', async () => {
    const cancelled = await eventCount('cancelled');
    const request = createRequest();
    await shipping.createShipment(request);
    const { trackingNumber } = await confirmed(request.orderId);
    const { shipment } = await shipping.cancelShipment({ orderId: request.orderId, reason: 'customer cancelled', idempotencyKey: key() });
    expect(shipment).toMatchObject({ status: ShipmentStatus.CANCELLED, trackingNumber });
    const { shipment: twice } = await shipping.cancelShipment({ orderId: request.orderId, reason: 'again', idempotencyKey: key() });
    expect(twice).toEqual(shipment);
    expect(await eventCount('cancelled')).toBe(cancelled + 1);
  });

  it('refuses to cancel a delivered shipment', async () => {
    const request = createRequest();
    await shipping.createShipment(request);
    await confirmed(request.orderId);
    await shipping.markDelivered({ orderId: request.orderId, idempotencyKey: key() });
    const error = await rpcError(shipping.cancelShipment({ orderId: request.orderId, reason: 'too late', idempotencyKey: key() }));
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(error.rawMessage).toContain('already delivered');
    expect((await shipping.getShipment({ orderId: request.orderId })).shipment?.status).toBe(ShipmentStatus.DELIVERED);
  });

  it('cancelling first fences off a late CreateShipment', async () => {
    const orderId = newId();
    const { shipment } = await shipping.cancelShipment({ orderId, reason: 'compensation', idempotencyKey: key() });
    expect(shipment).toMatchObject({ orderId, status: ShipmentStatus.CANCELLED, lines: [] });
    expect(shipment?.address).toBeUndefined();
    const error = await rpcError(shipping.createShipment(createRequest(orderId)));
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(error.rawMessage).toBe(`order ${orderId}: its shipment was cancelled`);
    expect((await shipping.getShipment({ orderId })).shipment).toEqual(shipment);
  });
});

describe('carrier confirmation', () => {
  it('gives concurrent readers after the due time one and the same tracking number', async () => {
    const request = createRequest();
    await shipping.createShipment(request);
    await sleep(300); // past the 200 ms due time; nothing has read the shipment yet
    // Half through each instance: the due time is stored, not the reader's setting.
    const reads = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? slowShipping : shipping).getShipment({ orderId: request.orderId })));
    expect(reads.every((r) => r.shipment?.status === ShipmentStatus.CONFIRMED)).toBe(true);
    const trackingNumbers = new Set(reads.map((r) => r.shipment?.trackingNumber));
    expect(trackingNumbers.size).toBe(1);
    expect([...trackingNumbers][0]).not.toBe('');
  });

  it('reads the confirmation without writing it; the next mutation records the same one', async () => {
    const request = createRequest();
    await shipping.createShipment(request);
    await sleep(300); // past the 200 ms due time
    const { shipment: read } = await shipping.getShipment({ orderId: request.orderId });
    expect(read).toMatchObject({ status: ShipmentStatus.CONFIRMED, trackingNumber: expect.stringMatching(/^SIM[0-9A-F]{16}$/) });
    // The carrier confirmed at the promised time, not when someone happened to look.
    expect(read!.confirmedAt).toEqual(timestampFromMs(timestampMs(read!.createdAt!) + 200));
    const stored = async () =>
      withClient(
        db.url,
        async (client) => (await client.query('SELECT status::text AS status, tracking_number FROM shipments WHERE order_id = $1', [request.orderId])).rows[0],
      );
    expect(await stored()).toEqual({ status: 'PENDING', tracking_number: null });

    const { shipment: delivered } = await shipping.markDelivered({ orderId: request.orderId, idempotencyKey: key() });
    expect(delivered).toMatchObject({ status: ShipmentStatus.DELIVERED, trackingNumber: read!.trackingNumber, confirmedAt: read!.confirmedAt });
    expect(await stored()).toEqual({ status: 'DELIVERED', tracking_number: read!.trackingNumber });
  });
});
