/** payment-service's activities: charge the order (moving it to PAID) and refund it. */
import { sagaMoves } from '@oms/contracts/order-lifecycle';
import { businessErrors } from '@oms/contracts/workflows';
import type { ActivityDeps, SharedCalls } from '.';
import { key, signal } from './calls';
import { refusalsAs } from './errors';
import type { OrderSnapshot } from './order';

export function paymentActivities({ payment }: Pick<ActivityDeps, 'payment'>, { status, compensate }: SharedCalls) {
  return {
    async charge({ orderId, customerId, total }: OrderSnapshot, paymentToken: string): Promise<{ paymentId: string }> {
      const amount = { amountMinor: BigInt(total.amountMinor), currency: total.currency };
      const { payment: charged } = await refusalsAs(
        businessErrors.paymentDeclined,
        payment.charge({ orderId, customerId, amount, paymentToken, idempotencyKey: key('charge') }, signal()),
      );
      await status.move(orderId, sagaMoves['charge payment']);
      return { paymentId: charged!.id };
    },

    refundPayment: (orderId: string) =>
      compensate('refund payment', () => payment.refundOrder({ orderId, reason: 'order cancelled', idempotencyKey: key('refund') }, signal())),
  };
}
