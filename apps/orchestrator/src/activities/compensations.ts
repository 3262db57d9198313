/**
 * The saga's undos and its end states, shared by every version of the
 * workflow. Each is safe when there is nothing to undo, and is retried by
 * the workflow until it succeeds; every failed attempt is counted and logged
 * loudly (order_compensation_failures_total is the alert).
 */
import { Context, log } from '@temporalio/activity';
import { Counter } from 'prom-client';
import type { ActivityDeps } from '.';
import { key, orderStatus, signal } from './calls';

export function compensationActivities(deps: ActivityDeps) {
  const { inventory, payment, shipping } = deps;
  const status = orderStatus(deps.order);
  const failures = new Counter({
    name: 'order_compensation_failures_total',
    help: 'Failed attempts of saga compensations (they are retried until they succeed)',
    labelNames: ['compensation'],
    registers: [deps.registry],
  });

  async function compensate(name: string, work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
    } catch (error) {
      failures.inc({ compensation: name });
      log.error('compensation failed, will retry', { compensation: name, attempt: Context.current().info.attempt, error: String(error) });
      throw error;
    }
  }

  return {
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
      compensate('mark cancelling', () => status.moveTo(orderId, 'CANCELLING', 'saga: compensating', 'status-CANCELLING')),

    markCancelled: (orderId: string, reason: string) =>
      compensate('mark cancelled', () => status.moveTo(orderId, 'CANCELLED', reason, 'status-CANCELLED')),

    async markDelivered(orderId: string): Promise<void> {
      await shipping.markDelivered({ orderId, idempotencyKey: key('delivered') }, signal());
      await status.moveTo(orderId, 'DELIVERED', 'carrier confirmed delivery', 'status-DELIVERED');
    },
  };
}
