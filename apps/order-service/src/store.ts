/** Database access of order-service. Mutations run inside `transact`. */
import type { Address } from '@oms/contracts/common/v1';
import { IdempotentStore, type Refusal } from '@oms/db';
import { Prisma, type PrismaClient } from './generated/prisma/client';
import { transitionRefusal, validationRefusal, type PricedOrder, type Status } from './domain';

type Tx = Prisma.TransactionClient;

const withItems = { items: { orderBy: { sku: 'asc' } } } satisfies Prisma.OrderInclude;
const withHistory = { ...withItems, history: { orderBy: { id: 'asc' } } } satisfies Prisma.OrderInclude;
export type OrderRow = Prisma.OrderGetPayload<{ include: typeof withItems }>;
export type OrderWithHistoryRow = Prisma.OrderGetPayload<{ include: typeof withHistory }>;
export type CustomerRow = Prisma.CustomerGetPayload<object>;

/** Where a ListOrders page ends: the last order's sort key. */
export interface OrderPosition {
  createdAt: Date;
  id: bigint;
}

export class OrderStore extends IdempotentStore<Tx> {
  constructor(private readonly prisma: PrismaClient) {
    super(prisma);
  }


  createCustomer(tx: Tx, data: { name: string; email: string; address?: Address }): Promise<CustomerRow> {
    const { name, email, address } = data;
    return tx.customer.create({
      data: {
        name,
        email,
        ...(address && {
          shipName: address.name,
          shipLine1: address.line1,
          shipLine2: address.line2,
          shipCity: address.city,
          shipPostalCode: address.postalCode,
          shipCountry: address.country,
        }),
      },
    });
  }

  getCustomer(id: bigint): Promise<CustomerRow | null> {
    return this.prisma.customer.findUnique({ where: { id } });
  }

  /** The order, its items and its first history row, in the caller's transaction. */
  createOrder(tx: Tx, customerId: bigint, priced: PricedOrder): Promise<OrderRow> {
    return tx.order.create({
      data: {
        customerId,
        status: 'PENDING',
        totalMinor: priced.totalMinor,
        currency: priced.currency,
        items: { create: priced.items },
        history: { create: { fromStatus: null, toStatus: 'PENDING', reason: 'order placed' } },
      },
      include: withItems,
    });
  }

  getOrder(id: bigint): Promise<OrderWithHistoryRow | null> {
    return this.prisma.order.findUnique({ where: { id }, include: withHistory });
  }

  /** A keyset page, newest first: the row comparison keeps pages stable while orders are added. */
  async listOrders(options: { customerId: bigint; status?: Status; after?: OrderPosition; limit: number }): Promise<OrderRow[]> {
    const { customerId, status, after, limit } = options;
    const ids = await this.prisma.$queryRaw<{ id: bigint }[]>`
      SELECT id FROM orders
      WHERE customer_id = ${customerId}
        ${status ? Prisma.sql`AND status = ${status}::order_status` : Prisma.empty}
        ${after ? Prisma.sql`AND (created_at, id) < (${after.createdAt}::timestamptz, ${after.id}::bigint)` : Prisma.empty}
      ORDER BY created_at DESC, id DESC
      LIMIT ${limit}`;
    return this.prisma.order.findMany({
      where: { id: { in: ids.map((r) => r.id) } },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      include: withItems,
    });
  }

  /** Locks the order's row for the rest of the transaction, then reads it. */
  private async lockOrder(tx: Tx, id: bigint) {
    await tx.$queryRaw`SELECT id FROM orders WHERE id = ${id} FOR UPDATE`;
    return tx.order.findUnique({ where: { id }, include: { ...withItems, customer: true } });
  }

  private moveOrder(tx: Tx, order: OrderRow, to: Status, reason: string): Promise<OrderRow> {
    return tx.order.update({
      where: { id: order.id },
      data: {
        status: to,
        ...(to === 'CANCELLED' && { cancelReason: reason }),
        history: { create: { fromStatus: order.status, toStatus: to, reason } },
      },
      include: withItems,
    });
  }

  async validateOrder(tx: Tx, id: bigint): Promise<OrderRow | Refusal | null> {
    const order = await this.lockOrder(tx, id);
    if (!order || order.status === 'VALIDATED') return order;
    const refusal = validationRefusal({
      id,
      status: order.status,
      itemCount: order.items.length,
      totalMinor: order.totalMinor,
      hasShippingAddress: order.customer.shipLine1 !== null,
    });
    return refusal ?? this.moveOrder(tx, order, 'VALIDATED', 'validated');
  }

  async updateStatus(tx: Tx, id: bigint, expected: Status, next: Status, reason: string): Promise<OrderRow | Refusal | null> {
    const order = await this.lockOrder(tx, id);
    if (!order) return null;
    return transitionRefusal(id, order.status, expected, next) ?? this.moveOrder(tx, order, next, reason);
  }
}
