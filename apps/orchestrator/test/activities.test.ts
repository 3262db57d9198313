/**
 * The activities, one service at a time, over fake clients in a mock
 * activity context (no Temporal server): the calls each makes, with which
 * idempotency keys, and how a refusal or a failed undo comes out.
 */
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError } from '@connectrpc/connect';
import { OrderStatus } from '@oms/contracts/order/v1';
import { ShipmentStatus } from '@oms/contracts/shipping/v1';
import { businessErrors } from '@oms/contracts/workflows';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createActivities, type ActivityDeps } from '../src/activities';
import { shortfallReason } from '../src/activities/order';
import { snapshot } from './fake-activities';

type Call = [method: string, request: Record<string, unknown>];

/** Clients whose every method records its call and answers from `answers` (or `{}`). */
function fakeDeps(calls: Call[], answers: Record<string, (request: Record<string, unknown>) => unknown> = {}) {
  const client = (service: string) =>
    new Proxy(
      {},
      {
        get: (_target, method: string) => async (request: Record<string, unknown>) => {
          calls.push([`${service}.${method}`, request]);
          return (answers[`${service}.${method}`] ?? (() => ({})))(request);
        },
      },
    );
  const registry = new Registry();
  const deps = { order: client('order'), inventory: client('inventory'), payment: client('payment'), shipping: client('shipping'), registry };
  return deps as unknown as ActivityDeps;
}

/** Runs `fn` as an activity of workflow `order-1`. */
const inActivity = <R>(fn: () => Promise<R>) =>
  new MockActivityEnvironment({ workflowExecution: { workflowId: 'order-1', runId: 'run-1' } }, { logger: new DefaultLogger('ERROR', () => undefined) }).run(
    fn,
  );

const refusal = (code: Code) => () => Promise.reject(new ConnectError('refused', code));

describe('createActivities', () => {
  it('registers the activity names that workflow code and recorded histories call', () => {
    expect(Object.keys(createActivities(fakeDeps([]))).sort()).toEqual(
      [
        'validateOrder',
        'reserve',
        'charge',
        'commit',
        'ship',
        'completeOrder',
        'releaseReservation',
        'refundPayment',
        'cancelShipment',
        'markCancelling',
        'markCancelled',
        'markDelivered',
        'stockShortfall',
        'askCustomer',
        'amendOrder',
        'checkFraud',
        'setOrderStatus',
        'reserveStock',
        'chargePayment',
        'commitStock',
        'arrangeShipping',
      ].sort(),
    );
  });
});

describe('each step moves the order itself, with keys made of the workflow id and the step', () => {
  it('reserve: stock, then VALIDATED -> RESERVED', async () => {
    const calls: Call[] = [];
    await inActivity(() => createActivities(fakeDeps(calls)).reserve(snapshot));
    expect(calls).toMatchObject([
      ['inventory.reserveStock', { orderId: '1', lines: snapshot.lines, idempotencyKey: 'order-1:reserve' }],
      [
        'order.updateOrderStatus',
        {
          orderId: '1',
          expectedStatus: OrderStatus.VALIDATED,
          newStatus: OrderStatus.RESERVED,
          reason: 'saga: reserved',
          idempotencyKey: 'order-1:status-RESERVED',
        },
      ],
    ]);
  });

  it('charge: the snapshot’s total, then RESERVED -> PAID', async () => {
    const calls: Call[] = [];
    const charged = await inActivity(() =>
      createActivities(fakeDeps(calls, { 'payment.charge': () => ({ payment: { id: 'pay-9' } }) })).charge(snapshot, 'tok'),
    );
    expect(charged).toEqual({ paymentId: 'pay-9' });
    expect(calls).toMatchObject([
      [
        'payment.charge',
        { orderId: '1', customerId: '7', amount: { amountMinor: 2598n, currency: 'EUR' }, paymentToken: 'tok', idempotencyKey: 'order-1:charge' },
      ],
      ['order.updateOrderStatus', { expectedStatus: OrderStatus.RESERVED, newStatus: OrderStatus.PAID, idempotencyKey: 'order-1:status-PAID' }],
    ]);
  });

  it('commit and complete: PAID -> SHIPPING, SHIPPING -> COMPLETED', async () => {
    const calls: Call[] = [];
    const activities = createActivities(fakeDeps(calls));
    await inActivity(() => activities.commit('1'));
    await inActivity(() => activities.completeOrder('1'));
    expect(calls.map(([method, { idempotencyKey }]) => `${method} ${idempotencyKey}`)).toEqual([
      'inventory.commitReservation order-1:commit',
      'order.updateOrderStatus order-1:status-SHIPPING',
      'order.updateOrderStatus order-1:status-COMPLETED',
    ]);
  });
});

describe('stock short: the customer in the loop', () => {
  const lines = [
    { sku: 'MUG', quantity: 3 },
    { sku: 'PEN', quantity: 1 },
    { sku: 'GONE', quantity: 2 },
  ];

  it('stockShortfall: every line the stock cannot cover, an unknown sku with none available', async () => {
    const calls: Call[] = [];
    const products = [
      { sku: 'MUG', available: 1 },
      { sku: 'PEN', available: 4 },
    ];
    const shortfall = await inActivity(() => createActivities(fakeDeps(calls, { 'inventory.listProducts': () => ({ products }) })).stockShortfall(lines));
    expect(shortfall).toEqual([
      { sku: 'MUG', requested: 3, available: 1 },
      { sku: 'GONE', requested: 2, available: 0 },
    ]);
    expect(calls).toEqual([['inventory.listProducts', { skus: ['MUG', 'PEN', 'GONE'], pageSize: 3 }]]);
  });

  it('askCustomer: VALIDATED -> AWAITING_CUSTOMER with the shortfall and a reason naming it, keyed per amendment', async () => {
    const calls: Call[] = [];
    const shortfall = [{ sku: 'MUG', requested: 3, available: 1 }];
    const activities = createActivities(fakeDeps(calls));
    await inActivity(() => activities.askCustomer(snapshot, shortfall));
    await inActivity(() => activities.askCustomer({ ...snapshot, amendment: 1 }, shortfall));
    expect(calls).toMatchObject([
      [
        'order.updateOrderStatus',
        {
          orderId: '1',
          expectedStatus: OrderStatus.VALIDATED,
          newStatus: OrderStatus.AWAITING_CUSTOMER,
          reason: 'out of stock: MUG (1 of 3 available)',
          shortfall,
          idempotencyKey: 'order-1:status-AWAITING_CUSTOMER-0',
        },
      ],
      ['order.updateOrderStatus', { idempotencyKey: 'order-1:status-AWAITING_CUSTOMER-1' }],
    ]);
  });

  it('the reason stays short however many lines are short', () => {
    const many = Array.from({ length: 100 }, (_, i) => ({ sku: `SKU-${i}`, requested: 10_000, available: 9_999 }));
    expect(shortfallReason(many)).toMatch(/^out of stock: SKU-0 \(9999 of 10000 available\), .*SKU-4 \(9999 of 10000 available\) and 95 more$/);
    expect(shortfallReason(many).length).toBeLessThanOrEqual(500);
  });

  it('an amended order is reserved under a key of its own', async () => {
    const calls: Call[] = [];
    await inActivity(() => createActivities(fakeDeps(calls)).reserve({ ...snapshot, amendment: 2 }));
    expect(calls[0]).toMatchObject(['inventory.reserveStock', { idempotencyKey: 'order-1:reserve-2' }]);
  });

  it('amendOrder: keyed by the update, answers the lines and total; a refusal is the customer’s to read', async () => {
    const calls: Call[] = [];
    const order = { items: [{ sku: 'MUG', quantity: 1, name: 'Mug' }], total: { amountMinor: 1000n, currency: 'EUR' } };
    const amended = await inActivity(() =>
      createActivities(fakeDeps(calls, { 'order.amendOrder': () => ({ order }) })).amendOrder('1', [{ sku: 'MUG', quantity: 1 }], 'upd-1'),
    );
    expect(amended).toEqual({ lines: [{ sku: 'MUG', quantity: 1 }], total: { amountMinor: '1000', currency: 'EUR' } });
    expect(calls).toEqual([['order.amendOrder', { orderId: '1', lines: [{ sku: 'MUG', quantity: 1 }], idempotencyKey: 'order-1:amend-upd-1' }]]);
    await expect(
      inActivity(() => createActivities(fakeDeps([], { 'order.amendOrder': refusal(Code.FailedPrecondition) })).amendOrder('1', [], 'upd-2')),
    ).rejects.toMatchObject({ type: businessErrors.amendRefused, nonRetryable: true, message: 'refused' });
  });
});

describe('refusals are non-retryable failures of the step’s business type', () => {
  it('a declined charge does not move the order', async () => {
    const calls: Call[] = [];
    const error = await inActivity(() =>
      createActivities(fakeDeps(calls, { 'payment.charge': refusal(Code.FailedPrecondition) })).charge(snapshot, 'tok'),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect(error).toMatchObject({ type: businessErrors.paymentDeclined, nonRetryable: true });
    expect(calls.map(([method]) => method)).toEqual(['payment.charge']);
  });

  it('a total above the review limit is refused at validation', async () => {
    const order = { customerId: '7', items: [], total: { amountMinor: 501n, currency: 'EUR' }, createdAt: timestampFromMs(0) };
    const deps = { ...fakeDeps([], { 'order.validateOrder': () => ({ order }) }), fraudReviewLimitMinor: 500n };
    await expect(inActivity(() => createActivities(deps).validateOrder('1'))).rejects.toMatchObject({
      type: businessErrors.fraudSuspected,
      nonRetryable: true,
    });
  });

  it('a cancelled shipment is refused', async () => {
    const shipment = { id: 'shp-1', status: ShipmentStatus.CANCELLED };
    const deps = fakeDeps([], { 'shipping.createShipment': () => ({ shipment }) });
    await expect(inActivity(() => createActivities(deps).ship(snapshot))).rejects.toMatchObject({ type: businessErrors.shippingRefused, nonRetryable: true });
  });
});

describe('saga step latency', () => {
  it('times every attempt of an activity by name and outcome', async () => {
    const deps = fakeDeps([], { 'payment.refundOrder': refusal(Code.Unavailable), 'order.getOrder': () => ({ order: { status: OrderStatus.CANCELLED } }) });
    const activities = createActivities(deps);
    await inActivity(() => activities.markCancelled('1', 'payment declined'));
    await expect(inActivity(() => activities.refundPayment('1'))).rejects.toBeInstanceOf(ConnectError);
    const { values } = await deps.registry.getSingleMetric('order_saga_step_seconds')!.get();
    const counts = (values as { metricName?: string; labels: Record<string, unknown>; value: number }[]).filter((value) =>
      value.metricName?.endsWith('_count'),
    );
    expect(counts.map(({ labels, value }) => [labels.activity, labels.outcome, value]).sort()).toEqual([
      ['markCancelled', 'ok', 1],
      ['refundPayment', 'failed', 1],
    ]);
  });
});

describe('compensations', () => {
  it('count every failed attempt and fail it, so the workflow retries', async () => {
    const deps = fakeDeps([], { 'payment.refundOrder': refusal(Code.Unavailable) });
    const activities = createActivities(deps);
    await expect(inActivity(() => activities.refundPayment('1'))).rejects.toBeInstanceOf(ConnectError);
    await expect(inActivity(() => activities.refundPayment('1'))).rejects.toBeInstanceOf(ConnectError);
    const metric = await deps.registry.getSingleMetric('order_compensation_failures_total')!.get();
    expect(metric.values).toMatchObject([{ value: 2, labels: { compensation: 'refund payment' } }]);
  });

  it('move the order from wherever it is, unless it is there already', async () => {
    const calls: Call[] = [];
    const at = (status: OrderStatus) => fakeDeps(calls, { 'order.getOrder': () => ({ order: { status } }) });
    await inActivity(() => createActivities(at(OrderStatus.PAID)).markCancelling('1'));
    await inActivity(() => createActivities(at(OrderStatus.CANCELLING)).markCancelling('1'));
    expect(calls.map(([method]) => method)).toEqual(['order.getOrder', 'order.updateOrderStatus', 'order.getOrder']);
    expect(calls[1]![1]).toMatchObject({ expectedStatus: OrderStatus.PAID, newStatus: OrderStatus.CANCELLING, idempotencyKey: 'order-1:status-CANCELLING' });
  });
});
