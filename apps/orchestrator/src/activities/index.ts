/**
 * The saga's activities, built by a factory that receives the service
 * clients (tests pass fakes, the worker passes gRPC clients): the forward
 * steps (saga.ts), the undos and end states (compensations.ts), and the
 * retired steps that orders started before `saga-v2` still call (v1.ts).
 */
import type { Client } from '@connectrpc/connect';
import type { InventoryService } from '@oms/contracts/inventory/v1';
import type { OrderService } from '@oms/contracts/order/v1';
import type { PaymentService } from '@oms/contracts/payment/v1';
import type { ShippingService } from '@oms/contracts/shipping/v1';
import type { Registry } from 'prom-client';
import { compensationActivities } from './compensations';
import { sagaActivities } from './saga';
import { v1Activities } from './v1';

export type { OrderSnapshot } from './saga';
export type { ShippingProgress } from './v1';

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

export function createActivities(deps: ActivityDeps) {
  return { ...sagaActivities(deps), ...compensationActivities(deps), ...v1Activities(deps) };
}

export type Activities = ReturnType<typeof createActivities>;
