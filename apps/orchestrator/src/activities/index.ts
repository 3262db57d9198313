/**
 * The saga's activities, one factory per service over its client (tests
 * pass fakes, the worker passes gRPC clients), composed here; plus the
 * retired steps that orders started before `saga-v2` still call (v1.ts).
 * Their names and signatures are what workflow code and recorded histories
 * call: change neither.
 */
import type { Client } from '@connectrpc/connect';
import type { InventoryService } from '@oms/contracts/inventory/v1';
import type { OrderService } from '@oms/contracts/order/v1';
import type { PaymentService } from '@oms/contracts/payment/v1';
import type { ShippingService } from '@oms/contracts/shipping/v1';
import type { Registry } from 'prom-client';
import { orderStatus } from './calls';
import { compensator, type Compensate } from './compensate';
import { inventoryActivities } from './inventory';
import { orderActivities } from './order';
import { paymentActivities } from './payment';
import { shippingActivities } from './shipping';
import { timedActivities } from './timing';
import { v1Activities } from './v1';

export type { OrderSnapshot } from './order';

export interface ActivityDeps {
  order: Client<typeof OrderService>;
  inventory: Client<typeof InventoryService>;
  payment: Client<typeof PaymentService>;
  shipping: Client<typeof ShippingService>;
  registry: Registry;
  /** How often the retired arrangeShipping asks the carrier (default 500 ms). */
  shippingPollMs?: number;
  /** Orders above this total (minor units) go no further than validation. */
  fraudReviewLimitMinor?: bigint;
}

/** What every service's activities share: the order's status moves (steps move it themselves) and the compensation wrapper. */
export interface SharedCalls {
  status: ReturnType<typeof orderStatus>;
  compensate: Compensate;
}

export function createActivities(deps: ActivityDeps) {
  const shared: SharedCalls = { status: orderStatus(deps.order), compensate: compensator(deps.registry) };
  return timedActivities(deps.registry, {
    ...orderActivities(deps, shared),
    ...inventoryActivities(deps, shared),
    ...paymentActivities(deps, shared),
    ...shippingActivities(deps, shared),
    ...v1Activities(deps, shared),
  });
}

export type Activities = ReturnType<typeof createActivities>;
