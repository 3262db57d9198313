/**
 * What every activity needs to call a service: an idempotency key made of
 * the workflow id and the step (so a retried activity never reserves,
 * charges or ships twice), the activity's cancellation, and the order's
 * status moves.
 */
import type { Client } from '@connectrpc/connect';
import type { StatusName } from '@oms/contracts/order-lifecycle';
import { OrderService, OrderStatus, type Order } from '@oms/contracts/order/v1';
import { businessErrors } from '@oms/contracts/workflows';
import { Context } from '@temporalio/activity';
import { refusalsAs } from './errors';

export function key(step: string): string {
  const workflow = Context.current().info.workflowExecution;
  if (!workflow) throw new Error('saga activities run inside a workflow');
  return `${workflow.workflowId}:${step}`;
}

export const signal = () => ({ signal: Context.current().cancellationSignal });

export function orderStatus(order: Client<typeof OrderService>) {
  async function getOrder(orderId: string): Promise<Order> {
    const { order: found } = await refusalsAs(businessErrors.invalidOrder, order.getOrder({ orderId }, signal()));
    return found!;
  }

  return {
    getOrder,

    /** The saga's move `from` -> `to` (sagaMoves); the same key every time, so a retry is answered with the first result. */
    async move(orderId: string, { from, to }: { from: StatusName; to: StatusName }): Promise<void> {
      await refusalsAs(
        businessErrors.invalidOrder,
        order.updateOrderStatus(
          { orderId, expectedStatus: OrderStatus[from], newStatus: OrderStatus[to], reason: `saga: ${to.toLowerCase()}`, idempotencyKey: key(`status-${to}`) },
          signal(),
        ),
      );
    },

    /** Moves the order to `to` from wherever it is now, unless it is there already. */
    async moveTo(orderId: string, to: StatusName, reason: string, step: string): Promise<void> {
      const current = await getOrder(orderId);
      if (current.status === OrderStatus[to]) return;
      await order.updateOrderStatus({ orderId, expectedStatus: current.status, newStatus: OrderStatus[to], reason, idempotencyKey: key(step) }, signal());
    },
  };
}
