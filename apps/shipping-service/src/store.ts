/** Database access of shipping-service. Mutations run inside `transact`. Order ids arrive as the wire's decimal strings; the database keeps them as BIGINT, like oms_order. */
import type { Address, Line } from '@oms/contracts/common/v1';
import { IdempotentStore, type Refusal } from '@oms/db';
import type { Carrier } from './carrier/carrier';
import { cancellationRefusal, creationRefusal, deliveryRefusal } from './domain';
import { Prisma, type PrismaClient } from './generated/prisma/client';

type Tx = Prisma.TransactionClient;

const withLines = { lines: { orderBy: { sku: 'asc' } } } satisfies Prisma.ShipmentInclude;
export type ShipmentRow = Prisma.ShipmentGetPayload<{ include: typeof withLines }>;

export type ShipmentEvent = 'created' | 'cancelled' | 'delivered';
/** A mutation's result: the shipment, and the event it caused (none when it was already so). */
export interface Change {
  shipment: ShipmentRow;
  event?: ShipmentEvent;
}

export class ShippingStore extends IdempotentStore<Tx> {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly carrier: Carrier,
  ) {
    super(prisma);
  }

  /** What the carrier's confirmation changes on a PENDING shipment it has confirmed; nothing otherwise. */
  private confirmedByCarrier(row: ShipmentRow) {
    const confirmation = row.status === 'PENDING' ? this.carrier.confirmation(row) : undefined;
    return confirmation && { status: 'CONFIRMED' as const, ...confirmation };
  }

  /** Locks the order's shipment and records the carrier's confirmation, if due, before a mutation acts on it. */
  private async lockShipment(tx: Tx, orderId: string): Promise<ShipmentRow | null> {
    await tx.$queryRaw`SELECT id FROM shipments WHERE order_id = ${BigInt(orderId)} FOR UPDATE`;
    const row = await tx.shipment.findUnique({ where: { orderId: BigInt(orderId) }, include: withLines });
    const confirmed = row && this.confirmedByCarrier(row);
    return confirmed ? tx.shipment.update({ where: { orderId: BigInt(orderId) }, data: confirmed, include: withLines }) : row;
  }

  async create(tx: Tx, orderId: string, address: Address, lines: Line[]): Promise<Change | Refusal> {
    const existing = await this.lockShipment(tx, orderId);
    if (existing) return creationRefusal(orderId, existing.status);
    const refusal = this.carrier.refusal(address);
    if (refusal) return refusal;
    const now = new Date();
    const shipment = await tx.shipment.create({
      data: {
        orderId: BigInt(orderId),
        status: 'PENDING',
        recipientName: address.name,
        line1: address.line1,
        line2: address.line2,
        city: address.city,
        postalCode: address.postalCode,
        country: address.country,
        createdAt: now,
        confirmDueAt: this.carrier.confirmDueAt(now),
        lines: { create: lines.map(({ sku, quantity }) => ({ sku, quantity })) },
      },
      include: withLines,
    });
    return { shipment, event: 'created' };
  }

  /** Cancels the order's shipment; with none, records a cancelled one as a fence. */
  async cancel(tx: Tx, orderId: string, reason: string): Promise<Change | Refusal> {
    const shipment = await this.lockShipment(tx, orderId);
    const cancelled = { status: 'CANCELLED', cancelledAt: new Date(), cancelReason: reason } as const;
    if (!shipment) {
      return { shipment: await tx.shipment.create({ data: { orderId: BigInt(orderId), ...cancelled }, include: withLines }), event: 'cancelled' };
    }
    if (shipment.status === 'CANCELLED') return { shipment };
    const refusal = cancellationRefusal(orderId, shipment.status);
    if (refusal) return refusal;
    return { shipment: await tx.shipment.update({ where: { orderId: BigInt(orderId) }, data: cancelled, include: withLines }), event: 'cancelled' };
  }

  async deliver(tx: Tx, orderId: string): Promise<Change | Refusal | null> {
    const shipment = await this.lockShipment(tx, orderId);
    if (!shipment) return null;
    if (shipment.status === 'DELIVERED') return { shipment };
    const refusal = deliveryRefusal(orderId, shipment.status);
    if (refusal) return refusal;
    const delivered = await tx.shipment.update({
      where: { orderId: BigInt(orderId) },
      data: { status: 'DELIVERED', deliveredAt: new Date() },
      include: withLines,
    });
    return { shipment: delivered, event: 'delivered' };
  }

  /** The shipment as it is now: one the carrier has confirmed reads as CONFIRMED, without writing (a mutation records it). */
  async getShipment(orderId: string): Promise<ShipmentRow | null> {
    const row = await this.prisma.shipment.findUnique({ where: { orderId: BigInt(orderId) }, include: withLines });
    const confirmed = row && this.confirmedByCarrier(row);
    return confirmed ? { ...row, ...confirmed } : row;
  }
}
