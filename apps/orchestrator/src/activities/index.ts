/**
 * The saga's activities, built by a factory that receives the service
 * clients (tests pass fakes, the worker passes gRPC clients). Every call
 * carries an idempotency key made of the workflow id and the step, so a
 * retried activity never reserves, charges or ships twice.
 */
import { timestampDate } from '@bufbuild/protobuf/wkt';
import type { Client } from '@connectrpc/connect';
import { InventoryService } from '@oms/contracts/inventory/v1';
import { OrderService, OrderStatus, type Order } from '@oms/contracts/order/v1';
import { PaymentService } from '@oms/contracts/payment/v1';
import { ShipmentStatus, ShippingService } from '@oms/contracts/shipping/v1';
import { ApplicationFailure, Context, log } from '@temporalio/activity';
import { Counter, type Registry } from 'prom-client';
import { businessErrors } from '@oms/contracts/workflows';
import { refusalsAs, stockDetails } from './errors';

export interface ActivityDeps {
  order: Client<typeof OrderService>;
  inventory: Client<typeof InventoryService>;
  payment: Client<typeof PaymentService>;
  shipping: Client<typeof ShippingService>;
  registry: Registry;
  /** How often arrangeShipping asks the carrier (default 500 ms). */
  shippingPollMs?: number;
  /** Orders above this total (minor units) go no further than the fraud check. */
  fraudReviewLimitMinor?: bigint;
}

/** What arrangeShipping records in its heartbeats, to resume from on retry. */
export interface ShippingProgress {
  shipmentId: string;
  polls: number;
}

type StatusName = keyof typeof OrderStatus;

function key(step: string): string {
  const workflow = Context.current().info.workflowExecution;
  if (!workflow) throw new Error('saga activities run inside a workflow');
  return `${workflow.workflowId}:${step}`;
}
const signal = () => ({ signal: Context.current().cancellationSignal });

export function createActivities(deps: ActivityDeps) {
  const { order, inventory, payment, shipping } = deps;
  const compensationFailures = new Counter({
    name: 'order_compensation_failures_total',
    help: 'Failed attempts of saga compensations (they are retried until they succeed)',
    labelNames: ['compensation'],
    registers: [deps.registry],
  });

  /** A compensation: retried forever by the workflow; each failure is counted and logged loudly. */
  async function compensate(name: string, work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
    } catch (error) {
      compensationFailures.inc({ compensation: name });
      log.error('compensation failed, will retry', { compensation: name, attempt: Context.current().info.attempt, error: String(error) });
      throw error;
    }
  }

  async function getOrder(orderId: string): Promise<Order> {
    const { order: found } = await refusalsAs(businessErrors.invalidOrder, order.getOrder({ orderId }, signal()));
    return found!;
  }

  /** Moves the order to `to` from wherever it is now, unless it is there already. */
  async function moveTo(orderId: string, to: StatusName, reason: string, step: string): Promise<void> {
    const current = await getOrder(orderId);
    if (current.status === OrderStatus[to]) return;
    await order.updateOrderStatus(
      { orderId, expectedStatus: current.status, newStatus: OrderStatus[to], reason, idempotencyKey: key(step) },
      signal(),
    );
  }

  return {
    async validateOrder(orderId: string): Promise<{ createdAtMs: number }> {
      const { order: validated } = await refusalsAs(
        businessErrors.invalidOrder,
        order.validateOrder({ orderId, idempotencyKey: key('validate') }, signal()),
      );
      return { createdAtMs: timestampDate(validated!.createdAt!).getTime() };
    },

    async checkFraud(orderId: string): Promise<void> {
      const { total } = await getOrder(orderId);
      const limit = deps.fraudReviewLimitMinor ?? 100_000_00n;
      if (total!.amountMinor > limit) {
        throw ApplicationFailure.nonRetryable(`order total ${total!.amountMinor} exceeds the review limit ${limit}`, businessErrors.fraudSuspected);
      }
    },

    async setOrderStatus(orderId: string, from: StatusName, to: StatusName): Promise<void> {
      await refusalsAs(
        businessErrors.invalidOrder,
        order.updateOrderStatus(
          { orderId, expectedStatus: OrderStatus[from], newStatus: OrderStatus[to], reason: `saga: ${to.toLowerCase()}`, idempotencyKey: key(`status-${to}`) },
          signal(),
        ),
      );
    },

    async reserveStock(orderId: string): Promise<void> {
      const { items } = await getOrder(orderId);
      const lines = items.map(({ sku, quantity }) => ({ sku, quantity }));
      await refusalsAs(
        businessErrors.insufficientStock,
        inventory.reserveStock({ orderId, lines, idempotencyKey: key('reserve') }, signal()),
        stockDetails,
      );
    },

    async chargePayment(orderId: string, paymentToken: string): Promise<{ paymentId: string }> {
      const { customerId, total } = await getOrder(orderId);
      const { payment: charged } = await refusalsAs(
        businessErrors.paymentDeclined,
        payment.charge({ orderId, customerId, amount: total, paymentToken, idempotencyKey: key('charge') }, signal()),
      );
      return { paymentId: charged!.id };
    },

    async commitStock(orderId: string): Promise<void> {
      await refusalsAs(businessErrors.invalidOrder, inventory.commitReservation({ orderId, idempotencyKey: key('commit') }, signal()));
    },

    /**
     * Creates the shipment and waits for the carrier to confirm it,
     * heartbeating its progress; a retry resumes from the last heartbeat
     * instead of starting over.
     */
    async arrangeShipping(orderId: string): Promise<{ trackingNumber: string }> {
      const ctx = Context.current();
      let progress = ctx.info.heartbeatDetails as ShippingProgress | undefined;
      if (!progress) {
        const current = await getOrder(orderId);
        const { customer } = await order.getCustomer({ customerId: current.customerId }, signal());
        const { shipment } = await refusalsAs(
          businessErrors.shippingRefused,
          shipping.createShipment(
            {
              orderId,
              address: customer!.shippingAddress,
              lines: current.items.map(({ sku, quantity }) => ({ sku, quantity })),
              idempotencyKey: key('ship'),
            },
            signal(),
          ),
        );
        progress = { shipmentId: shipment!.id, polls: 0 };
        ctx.heartbeat(progress);
      }
      for (;;) {
        const { shipment } = await shipping.getShipment({ orderId }, signal());
        if (shipment!.status === ShipmentStatus.CONFIRMED || shipment!.status === ShipmentStatus.DELIVERED) {
          return { trackingNumber: shipment!.trackingNumber };
        }
        if (shipment!.status === ShipmentStatus.CANCELLED) {
          throw ApplicationFailure.nonRetryable(`shipment for order ${orderId} was cancelled`, businessErrors.shippingRefused);
        }
        progress = { ...progress, polls: progress.polls + 1 };
        ctx.heartbeat(progress);
        await ctx.sleep(deps.shippingPollMs ?? 500);
      }
    },

    // Compensations and the end of the saga: safe when there is nothing to undo.

    releaseReservation: (orderId: string) =>
      compensate('release reservation', () =>
        inventory.releaseReservation({ orderId, reason: 'order cancelled', idempotencyKey: key('release') }, signal()),
      ),

    refundPayment: (orderId: string) =>
      compensate('refund payment', () => payment.refundOrder({ orderId, reason: 'order cancelled', idempotencyKey: key('refund') }, signal())),

    cancelShipment: (orderId: string) =>
      compensate('cancel shipment', () =>
        shipping.cancelShipment({ orderId, reason: 'order cancelled', idempotencyKey: key('cancel-shipment') }, signal()),
      ),

    markCancelling: (orderId: string) =>
      compensate('mark cancelling', () => moveTo(orderId, 'CANCELLING', 'saga: compensating', 'status-CANCELLING')),

    markCancelled: (orderId: string, reason: string) =>
      compensate('mark cancelled', () => moveTo(orderId, 'CANCELLED', reason, 'status-CANCELLED')),

    async markDelivered(orderId: string): Promise<void> {
      await shipping.markDelivered({ orderId, idempotencyKey: key('delivered') }, signal());
      await moveTo(orderId, 'DELIVERED', 'carrier confirmed delivery', 'status-DELIVERED');
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
