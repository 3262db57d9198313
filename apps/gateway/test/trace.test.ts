/**
 * One trace per order: every app exports its spans to a real OTLP/HTTP
 * receiver while one order completes and one is compensated; each order's
 * trace runs from the gateway's request through the workflow and its
 * activities to all four services and their SQL, with no span left without
 * its parent.
 */
import { orderWorkflowId } from '@oms/contracts/workflows';
import { startTraceReceiver, type ReceivedSpan, type TraceReceiver } from '@oms/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCustomer, newProduct, placeOrder, startHarness, untilOutcome, type Harness } from './harness';

let receiver: TraceReceiver;
let h: Harness;
const traces: Record<string, ReceivedSpan[]> = {};
let orchestratorLog: Record<string, string>[] = [];
let compensatedOrderId: string;

const services = ['gateway', 'orchestrator', 'order-service', 'inventory-service', 'payment-service', 'shipping-service'];
// A declined card cancels the order before shipping is asked.
const servicesOf: Record<string, string[]> = { completed: services, compensated: services.filter((s) => s !== 'shipping-service') };

beforeAll(async () => {
  receiver = await startTraceReceiver();
  h = await startHarness(receiver.env);
  const customer = await newCustomer(h);
  await newProduct(h, 'TR-MUG', 10, '1500');
  const orders = { completed: 'tok_success', compensated: 'tok_declined' };
  const orderIds = await Promise.all(
    Object.values(orders).map(async (card) => {
      const placed = await placeOrder(h, customer.token, [{ sku: 'TR-MUG', quantity: 1 }], card);
      expect(placed.status).toBe(202);
      await untilOutcome(h, placed.body.orderId, customer.token);
      return placed.body.orderId as string;
    }),
  );
  compensatedOrderId = orderIds[1]!;
  // Stopping every app flushes its spans.
  expect((await h.close()).every((code) => code === 0)).toBe(true);
  orchestratorLog = h.stack
    .output('orchestrator')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, string>);
  // As an operator finds an order's trace (README, "Where to look"): by the workflow id on the span that starts it
  // (queries of its progress carry the id too, in traces of their own).
  Object.keys(orders).forEach((name, i) => {
    const start = receiver.spans.find((s) => s.name.startsWith('StartWorkflow:') && s.attributes.temporalWorkflowId === orderWorkflowId(orderIds[i]!));
    traces[name] = start ? traceOf(start) : [];
  });
});

afterAll(async () => {
  await receiver?.close();
});

function traceOf(span: ReceivedSpan): ReceivedSpan[] {
  return receiver.spans.filter((s) => s.traceId === span.traceId);
}

describe('one trace per order', () => {
  it.each(['completed', 'compensated'])('the %s order: gateway, workflow, activities, the services it used and SQL in one trace', (name) => {
    const spans = traces[name]!;
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(servicesOf[name]));
    const names = spans.map((s) => s.name);
    expect(names).toContain('POST /v1/orders');
    expect(names.some((n) => n.startsWith('StartWorkflow:OrderWorkflow'))).toBe(true);
    expect(names.some((n) => n.startsWith('RunWorkflow:OrderWorkflow'))).toBe(true);
    expect(names.some((n) => n.startsWith('RunActivity:'))).toBe(true);
    expect(names).toContain('oms.payment.v1.PaymentService/Charge');
    expect(names.filter((n) => n.startsWith('prisma:')).length).toBeGreaterThan(0);
  });

  it('the compensated order shows its compensation in the same trace', () => {
    const names = traces.compensated!.map((s) => s.name);
    expect(names.some((n) => n.startsWith('oms.inventory.v1.InventoryService/Release'))).toBe(true);
  });

  it("logs join the trace: the workflow's warning about the compensated order names its trace and span", () => {
    const line = orchestratorLog.find((l) => l.msg === 'order cancelled, compensating' && l.orderId === compensatedOrderId);
    expect(line).toBeDefined();
    const span = traces.compensated!.find((s) => s.spanId === line!.spanId);
    expect(span).toMatchObject({ traceId: line!.traceId, service: 'orchestrator' });
  });

  it('every trace has one root and every other span its parent', () => {
    const ids = new Set(receiver.spans.map((s) => s.spanId));
    expect(receiver.spans.filter((s) => s.parentSpanId !== '' && !ids.has(s.parentSpanId))).toEqual([]);
    for (const spans of Object.values(traces)) expect(spans.filter((s) => s.parentSpanId === '')).toHaveLength(1);
  });
});
