/**
 * Every service is a real gRPC server: started as its own process, it
 * answers grpc.health.v1 and its RPCs to a plain @grpc/grpc-js client, with
 * errors as standard gRPC status codes, and counts the calls on /metrics.
 */
import { randomUUID } from 'node:crypto';
import type { DescMessage, MessageInitShape } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import { HealthCheckRequestSchema, HealthCheckResponseSchema, HealthCheckResponse_ServingStatus } from '@oms/contracts/health/v1';
import * as inventory from '@oms/contracts/inventory/v1';
import * as order from '@oms/contracts/order/v1';
import * as payment from '@oms/contracts/payment/v1';
import * as shipping from '@oms/contracts/shipping/v1';
import { services, startAppProcess, type AppProcess } from '@oms/devstack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloneTemplate, type TestDatabase } from '../src';
import { grpcClient, grpcStatus, grpcUnary } from './grpc-js';

interface Call<I extends DescMessage = DescMessage, O extends DescMessage = DescMessage> {
  method: string;
  input: I;
  request: MessageInitShape<I>;
  output: O;
}
const call = <I extends DescMessage, O extends DescMessage>(method: string, input: I, request: MessageInitShape<I>, output: O): Call =>
  ({ method, input, request, output }) as unknown as Call;

const address = { name: 'Ada', line1: '1 Loop Rd', city: 'Berlin', postalCode: '10115', country: 'DE' };

/** Per service: a call that succeeds, and one that fails with a known code. */
const cases: Record<string, { service: string; ok: Call; fails: Call; code: grpc.status }> = {
  'inventory-service': {
    service: inventory.InventoryService.typeName,
    ok: call(
      'CreateProduct',
      inventory.CreateProductRequestSchema,
      { sku: 'INTEROP-1', name: 'Interop', unitPrice: { amountMinor: 100n, currency: 'EUR' }, initialStock: 1, idempotencyKey: randomUUID() },
      inventory.CreateProductResponseSchema,
    ),
    fails: call('GetProduct', inventory.GetProductRequestSchema, { sku: 'NO-SUCH-SKU' }, inventory.GetProductResponseSchema),
    code: grpc.status.NOT_FOUND,
  },
  'payment-service': {
    service: payment.PaymentService.typeName,
    ok: call(
      'Charge',
      payment.ChargeRequestSchema,
      { orderId: '1', customerId: '1', amount: { amountMinor: 500n, currency: 'EUR' }, paymentToken: 'tok_success', idempotencyKey: randomUUID() },
      payment.ChargeResponseSchema,
    ),
    fails: call(
      'Charge',
      payment.ChargeRequestSchema,
      { orderId: '2', customerId: '1', amount: { amountMinor: 500n, currency: 'EUR' }, paymentToken: 'tok_declined', idempotencyKey: randomUUID() },
      payment.ChargeResponseSchema,
    ),
    code: grpc.status.FAILED_PRECONDITION,
  },
  'shipping-service': {
    service: shipping.ShippingService.typeName,
    ok: call(
      'CreateShipment',
      shipping.CreateShipmentRequestSchema,
      { orderId: '1', address, lines: [{ sku: 'A', quantity: 1 }], idempotencyKey: randomUUID() },
      shipping.CreateShipmentResponseSchema,
    ),
    fails: call('GetShipment', shipping.GetShipmentRequestSchema, { orderId: '999999999' }, shipping.GetShipmentResponseSchema),
    code: grpc.status.NOT_FOUND,
  },
  'order-service': {
    service: order.OrderService.typeName,
    ok: call(
      'CreateCustomer',
      order.CreateCustomerRequestSchema,
      { name: 'Ada', email: 'ada@example.com', shippingAddress: address, idempotencyKey: randomUUID() },
      order.CreateCustomerResponseSchema,
    ),
    fails: call('CreateOrder', order.CreateOrderRequestSchema, { customerId: '1', lines: [], idempotencyKey: randomUUID() }, order.CreateOrderResponseSchema),
    code: grpc.status.INVALID_ARGUMENT,
  },
};

describe.each(services.map((s) => [s.app, s] as const))('%s over plain gRPC', (app, { database }) => {
  const { service, ok, fails, code } = cases[app]!;
  let db: TestDatabase;
  let proc: AppProcess;
  let client: grpc.Client;

  beforeAll(async () => {
    db = await cloneTemplate(database);
    proc = await startAppProcess(app, { DATABASE_URL: db.url });
    client = grpcClient(proc.url);
  });

  afterAll(async () => {
    client?.close();
    expect(await proc?.stop()).toBe(0);
    await db?.drop();
  });

  it('answers grpc.health.v1 Check with SERVING, for the server and for its service', async () => {
    for (const name of ['', service]) {
      const res = await grpcUnary(client, '/grpc.health.v1.Health/Check', HealthCheckRequestSchema, { service: name }, HealthCheckResponseSchema);
      expect(res.status).toBe(HealthCheckResponse_ServingStatus.SERVING);
    }
    const unknown = await grpcStatus(
      grpcUnary(client, '/grpc.health.v1.Health/Check', HealthCheckRequestSchema, { service: 'no.such.Service' }, HealthCheckResponseSchema),
    );
    expect(unknown.code).toBe(grpc.status.NOT_FOUND);
  });

  it('answers a real RPC, and refuses with a standard status code and a readable message', async () => {
    const res = await grpcUnary(client, `/${service}/${ok.method}`, ok.input, ok.request, ok.output);
    expect(res.$typeName).toBe(ok.output.typeName);
    const error = await grpcStatus(grpcUnary(client, `/${service}/${fails.method}`, fails.input, fails.request, fails.output));
    expect(error.code).toBe(code);
    expect(error.details.length).toBeGreaterThan(5);
  });

  it('counts its calls on /metrics', async () => {
    const text = await (await fetch(proc.metricsUrl)).text();
    expect(text).toContain(`rpc_server_requests_total{service="${service}",method="${ok.method}",code="OK",app="${app}"}`);
    expect(text).toContain('process_cpu_user_seconds_total');
  });
});
