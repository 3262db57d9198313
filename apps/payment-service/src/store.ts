/** Database access of payment-service (not the provider's ledger). Mutations run inside `transact`. Order and customer ids arrive as the wire's decimal strings; the database keeps them as BIGINT, like oms_order. */
import type { Money } from '@oms/contracts/common/v1';
import { IdempotentStore, type Refusal } from '@oms/db';
import { Prisma, type PrismaClient } from './generated/prisma/client';
import { refundRefusal, statusAfterRefund } from './domain';

type Tx = Prisma.TransactionClient;

const withRefunds = { refunds: { orderBy: { id: 'asc' } } } satisfies Prisma.PaymentInclude;
export type PaymentWithRefunds = Prisma.PaymentGetPayload<{ include: typeof withRefunds }>;
export type PaymentRow = Prisma.PaymentGetPayload<object>;
export type RefundRow = Prisma.RefundGetPayload<object>;

export class PaymentStore extends IdempotentStore<Tx> {
  constructor(private readonly prisma: PrismaClient) {
    super(prisma);
  }

  /** Whether RefundOrder fenced the order off (an unlocked read, for the fast path). */
  async isCancelled(orderId: string): Promise<boolean> {
    const order = await this.prisma.paymentOrder.findUnique({ where: { orderId: BigInt(orderId) } });
    return order?.cancelledAt != null;
  }

  /**
   * Locks the order's row, creating it first: Charge and RefundOrder of one
   * order take this lock, so a charge either commits before the fence (and is
   * refunded by RefundOrder) or sees it. Returns whether the order is cancelled.
   */
  async lockOrder(tx: Tx, orderId: string): Promise<boolean> {
    await tx.$executeRaw`INSERT INTO payment_orders (order_id) VALUES (${BigInt(orderId)}) ON CONFLICT (order_id) DO NOTHING`;
    const [order] = await tx.$queryRaw<{ cancelled: boolean }[]>`
      SELECT cancelled_at IS NOT NULL AS cancelled FROM payment_orders WHERE order_id = ${BigInt(orderId)} FOR UPDATE`;
    return order!.cancelled;
  }

  insertPayment(
    tx: Tx,
    data: Omit<Prisma.PaymentUncheckedCreateInput, 'orderId' | 'customerId'> & { orderId: string; customerId: string },
  ): Promise<PaymentRow> {
    return tx.payment.create({ data: { ...data, orderId: BigInt(data.orderId), customerId: BigInt(data.customerId) } });
  }

  /** Locks the payment and checks that `amount` can be refunded from it (as the other stores apply their rules: under the lock). */
  async lockRefundable(tx: Tx, id: bigint, amount: Money): Promise<PaymentRow | Refusal | null> {
    await tx.$queryRaw`SELECT id FROM payments WHERE id = ${id} FOR UPDATE`;
    const payment = await tx.payment.findUnique({ where: { id } });
    return payment && (refundRefusal(payment, amount) ?? payment);
  }

  /** Fences the order off from later charges (keeping the first reason) and locks its payments. */
  async cancelOrder(tx: Tx, orderId: string, reason: string): Promise<PaymentRow[]> {
    await this.lockOrder(tx, orderId);
    await tx.paymentOrder.updateMany({ where: { orderId: BigInt(orderId), cancelledAt: null }, data: { cancelledAt: new Date(), cancelReason: reason } });
    await tx.$queryRaw`SELECT id FROM payments WHERE order_id = ${BigInt(orderId)} ORDER BY id FOR UPDATE`;
    return tx.payment.findMany({ where: { orderId: BigInt(orderId) }, orderBy: { id: 'asc' } });
  }

  /** Records a refund the provider made of a payment whose row this transaction holds locked. */
  async recordRefund(
    tx: Tx,
    payment: PaymentRow,
    refund: { amountMinor: bigint; reason: string; providerRefundId: string },
  ): Promise<{ payment: PaymentRow; refund: RefundRow }> {
    const refundedMinor = payment.refundedMinor + refund.amountMinor;
    const updated = await tx.payment.update({
      where: { id: payment.id },
      data: { refundedMinor, status: statusAfterRefund(payment.amountMinor, refundedMinor) },
    });
    const row = await tx.refund.create({ data: { ...refund, paymentId: payment.id, currency: payment.currency } });
    return { payment: updated, refund: row };
  }

  getPayment(id: bigint): Promise<PaymentWithRefunds | null> {
    return this.prisma.payment.findUnique({ where: { id }, include: withRefunds });
  }
}
