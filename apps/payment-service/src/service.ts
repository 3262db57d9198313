/** The PaymentService RPC handlers (requests arrive validated against the contract): call the provider, record in the store, map to the wire. */
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { ServiceImpl } from '@connectrpc/connect';
import { MoneySchema } from '@oms/contracts/common/v1';
import {
  ChargeResponseSchema,
  PaymentSchema,
  PaymentService,
  PaymentStatus,
  RefundOrderResponseSchema,
  RefundRecordSchema,
  RefundResponseSchema,
  type Payment,
  type RefundRecord,
} from '@oms/contracts/payment/v1';
import { refuse, Refusal } from '@oms/db';
import { notFound } from '@oms/platform';
import { cancelledOrder, refundable } from './domain';
import type { CardProvider } from './card-provider/card-provider';
import type { Prisma } from './generated/prisma/client';
import type { PaymentRow, PaymentStore, RefundRow } from './store';

const money = (amountMinor: bigint, currency: string) => create(MoneySchema, { amountMinor, currency });

function toPayment(row: PaymentRow): Payment {
  return create(PaymentSchema, {
    id: row.id.toString(),
    orderId: row.orderId.toString(),
    customerId: row.customerId.toString(),
    amount: money(row.amountMinor, row.currency),
    refunded: money(row.refundedMinor, row.currency),
    status: PaymentStatus[row.status],
    declineReason: row.declineReason,
    providerChargeId: row.providerChargeId,
    createdAt: timestampFromDate(row.createdAt),
    updatedAt: timestampFromDate(row.updatedAt),
  });
}

function toRefund(row: RefundRow): RefundRecord {
  return create(RefundRecordSchema, {
    id: row.id.toString(),
    paymentId: row.paymentId.toString(),
    amount: money(row.amountMinor, row.currency),
    reason: row.reason,
    createdAt: timestampFromDate(row.createdAt),
  });
}

export function createPaymentService(store: PaymentStore, provider: CardProvider): ServiceImpl<typeof PaymentService> {
  /** Refunds at the provider (idempotent on `key`), then records it on the locked payment. */
  async function refundPayment(tx: Prisma.TransactionClient, payment: PaymentRow, amountMinor: bigint, reason: string, key: string) {
    const providerRefundId = await provider.refund({ key, chargeId: payment.providerChargeId, amountMinor });
    return store.recordRefund(tx, payment, { amountMinor, reason, providerRefundId });
  }

  return {
    async charge(req) {
      const method = PaymentService.method.charge;
      // A replay must not reach the provider; neither may a charge of a cancelled order.
      const prior = await store.prior(method, req);
      if (prior) return prior;
      if (await store.isCancelled(req.orderId)) return store.transact(method, req, async () => cancelledOrder(req.orderId));

      const { amountMinor, currency } = req.amount!;
      const charged = await provider.charge({ key: `charge:${req.idempotencyKey}`, token: req.paymentToken, amountMinor, currency });
      return store.transact(method, req, async (tx) => {
        const cancelled = await store.lockOrder(tx, req.orderId);
        const payment = await store.insertPayment(tx, {
          orderId: req.orderId,
          customerId: req.customerId,
          amountMinor,
          currency,
          status: charged.approved ? 'SUCCEEDED' : 'DECLINED',
          declineReason: charged.approved ? '' : charged.declineReason,
          providerChargeId: charged.chargeId,
        });
        if (!charged.approved) return refuse(charged.declineReason);
        if (cancelled) {
          // RefundOrder fenced the order while the provider was charging: give the money back at once.
          await refundPayment(tx, payment, amountMinor, `order ${req.orderId} was cancelled`, `charge-reversal:${req.idempotencyKey}`);
          return cancelledOrder(req.orderId);
        }
        return create(ChargeResponseSchema, { payment: toPayment(payment) });
      });
    },

    async refund(req) {
      return store.transact(PaymentService.method.refund, req, async (tx) => {
        const payment = await store.lockRefundable(tx, BigInt(req.paymentId), req.amount!);
        if (!payment) throw notFound(`payment ${req.paymentId}`);
        if (payment instanceof Refusal) return payment;
        const done = await refundPayment(tx, payment, req.amount!.amountMinor, req.reason, `refund:${req.idempotencyKey}`);
        return create(RefundResponseSchema, { refund: toRefund(done.refund), payment: toPayment(done.payment) });
      });
    },

    async refundOrder(req) {
      return store.transact(PaymentService.method.refundOrder, req, async (tx) => {
        const refunds: RefundRow[] = [];
        for (const payment of await store.cancelOrder(tx, req.orderId, req.reason)) {
          const left = refundable(payment);
          if (left === 0n) continue;
          const key = `refund-order:${req.idempotencyKey}:${payment.id}`;
          refunds.push((await refundPayment(tx, payment, left, req.reason || 'order cancelled', key)).refund);
        }
        return create(RefundOrderResponseSchema, { refunds: refunds.map(toRefund) });
      });
    },

    async getPayment({ paymentId }) {
      const row = await store.getPayment(BigInt(paymentId));
      if (!row) throw notFound(`payment ${paymentId}`);
      return { payment: toPayment(row), refunds: row.refunds.map(toRefund) };
    },
  };
}
