/**
 * Retired: the forward steps of OrderWorkflow before `saga-v2`, kept
 * registered only so that orders started then can finish. Each re-reads the
 * order, and arrangeShipping polls the carrier with heartbeats. Delete this
 * file (and workflows/steps-v1.ts) once no such order runs.
 */
import type { StatusName } from '@oms/contracts/order-lifecycle';
import { businessErrors } from '@oms/contracts/workflows';
import { Context } from '@temporalio/activity';
import type { ActivityDeps, SharedCalls } from '.';
import { key, signal } from './calls';
import { refusalsAs, stockDetails } from './errors';
import { checkReviewLimit } from './order';
import { confirmation } from './shipping';

/** What arrangeShipping records in its heartbeats, to resume from on retry. */
export interface ShippingProgress {
  shipmentId: string;
  polls: number;
}

export function v1Activities(deps: ActivityDeps, { status }: SharedCalls) {
  const { order, inventory, payment, shipping } = deps;
  const { getOrder } = status;

  return {
    async checkFraud(orderId: string): Promise<void> {
      const { total } = await getOrder(orderId);
      checkReviewLimit(total!, deps.fraudReviewLimitMinor);
    },

    setOrderStatus: (orderId: string, from: StatusName, to: StatusName) => status.move(orderId, { from, to }),

    async reserveStock(orderId: string): Promise<void> {
      const { items } = await getOrder(orderId);
      const lines = items.map(({ sku, quantity }) => ({ sku, quantity }));
      await refusalsAs(businessErrors.insufficientStock, inventory.reserveStock({ orderId, lines, idempotencyKey: key('reserve') }, signal()), stockDetails);
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

    async arrangeShipping(orderId: string): Promise<{ trackingNumber: string }> {
      const ctx = Context.current();
      let progress = ctx.info.heartbeatDetails as ShippingProgress | undefined;
      if (!progress) {
        const current = await getOrder(orderId);
        const { customer } = await order.getCustomer({ customerId: current.customerId }, signal());
        const { shipment } = await refusalsAs(
          businessErrors.shippingRefused,
          shipping.createShipment(
            { orderId, address: customer!.shippingAddress, lines: current.items.map(({ sku, quantity }) => ({ sku, quantity })), idempotencyKey: key('ship') },
            signal(),
          ),
        );
        progress = { shipmentId: shipment!.id, polls: 0 };
        ctx.heartbeat(progress);
      }
      for (;;) {
        const { shipment } = await shipping.getShipment({ orderId }, signal());
        const confirmed = confirmation(orderId, shipment!);
        if (confirmed) return confirmed;
        progress = { ...progress, polls: progress.polls + 1 };
        ctx.heartbeat(progress);
        await ctx.sleep(deps.shippingPollMs ?? 500);
      }
    },
  };
}
