/** Database access of inventory-service. Mutations run inside `transact`. */
import type { Line } from '@oms/contracts/common/v1';
import { IdempotentStore, refuse, type Refusal } from '@oms/db';
import { Prisma, type PrismaClient } from './generated/prisma/client';
import { adjustmentRefusal, shortfall } from './domain';

type Tx = Prisma.TransactionClient;

const withLines = { lines: { orderBy: { sku: 'asc' } } } satisfies Prisma.ReservationInclude;
export type ReservationRow = Prisma.ReservationGetPayload<{ include: typeof withLines }>;
export type ProductRow = Prisma.ProductGetPayload<object>;

export class InventoryStore extends IdempotentStore<Tx> {
  constructor(private readonly prisma: PrismaClient) {
    super(prisma);
  }

  async createProduct(tx: Tx, data: { sku: string; name: string; priceMinor: bigint; currency: string; stock: number }): Promise<ProductRow | Refusal> {
    if (await tx.product.findUnique({ where: { sku: data.sku } })) return refuse(`product ${data.sku} already exists`);
    const { stock, ...fields } = data;
    return tx.product.create({
      data: { ...fields, available: stock, adjustments: stock > 0 ? { create: { delta: stock, reason: 'initial stock' } } : undefined },
    });
  }

  getProduct(sku: string): Promise<ProductRow | null> {
    return this.prisma.product.findUnique({ where: { sku } });
  }

  listProducts(options: { skus: string[]; after?: string; limit: number }): Promise<ProductRow[]> {
    return this.prisma.product.findMany({
      where: {
        sku: {
          ...(options.skus.length > 0 ? { in: options.skus } : {}),
          ...(options.after !== undefined ? { gt: options.after } : {}),
        },
      },
      orderBy: { sku: 'asc' },
      take: options.limit,
    });
  }

  /** Locks the products' rows, in sku order so that concurrent calls cannot deadlock. */
  private async lockStock(tx: Tx, skus: string[]): Promise<Map<string, number>> {
    const rows = await tx.$queryRaw<{ sku: string; available: number }[]>`
      SELECT sku, available FROM products WHERE sku = ANY(${[...skus].sort()}::text[]) ORDER BY sku FOR UPDATE`;
    return new Map(rows.map((r) => [r.sku, r.available]));
  }

  async adjustStock(tx: Tx, sku: string, delta: number, reason: string): Promise<ProductRow | Refusal | null> {
    const stock = await this.lockStock(tx, [sku]);
    const available = stock.get(sku);
    if (available === undefined) return null;
    const refusal = adjustmentRefusal(sku, available, delta);
    if (refusal) return refusal;
    return tx.product.update({
      where: { sku },
      data: { available: { increment: delta }, adjustments: { create: { delta, reason } } },
    });
  }

  private async lockReservation(tx: Tx, orderId: string): Promise<ReservationRow | null> {
    await tx.$queryRaw`SELECT id FROM reservations WHERE order_id = ${orderId} FOR UPDATE`;
    return tx.reservation.findUnique({ where: { orderId }, include: withLines });
  }

  async reserve(tx: Tx, orderId: string, lines: Line[]): Promise<ReservationRow | Refusal> {
    const existing = await this.lockReservation(tx, orderId);
    if (existing?.status === 'RELEASED') return refuse(`order ${orderId}: its reservation was already released`);
    if (existing) return refuse(`order ${orderId} already has a reservation`);
    const refusal = shortfall(lines, await this.lockStock(tx, lines.map((l) => l.sku)));
    if (refusal) return refusal;
    for (const { sku, quantity } of lines) {
      await tx.product.update({ where: { sku }, data: { available: { decrement: quantity }, reserved: { increment: quantity } } });
    }
    return tx.reservation.create({
      data: { orderId, status: 'RESERVED', lines: { create: lines.map(({ sku, quantity }) => ({ sku, quantity })) } },
      include: withLines,
    });
  }

  async commit(tx: Tx, orderId: string): Promise<ReservationRow | Refusal | null> {
    const reservation = await this.lockReservation(tx, orderId);
    if (!reservation || reservation.status === 'COMMITTED') return reservation;
    if (reservation.status === 'RELEASED') return refuse(`order ${orderId}: its reservation was released`);
    for (const { sku, quantity } of reservation.lines) {
      await tx.product.update({ where: { sku }, data: { reserved: { decrement: quantity }, committed: { increment: quantity } } });
    }
    return tx.reservation.update({ where: { orderId }, data: { status: 'COMMITTED' }, include: withLines });
  }

  /**
   * Releases the order's reservation: reserved units, or committed ones whose
   * goods never left (the saga undoing a sale), go back to available. With
   * no reservation it records a released one as a fence.
   */
  async release(tx: Tx, orderId: string): Promise<ReservationRow> {
    const reservation = await this.lockReservation(tx, orderId);
    if (!reservation) return tx.reservation.create({ data: { orderId, status: 'RELEASED' }, include: withLines });
    if (reservation.status === 'RELEASED') return reservation;
    const from = reservation.status === 'COMMITTED' ? 'committed' : 'reserved';
    for (const { sku, quantity } of reservation.lines) {
      await tx.product.update({ where: { sku }, data: { [from]: { decrement: quantity }, available: { increment: quantity } } });
    }
    return tx.reservation.update({ where: { orderId }, data: { status: 'RELEASED' }, include: withLines });
  }

  getReservation(orderId: string): Promise<ReservationRow | null> {
    return this.prisma.reservation.findUnique({ where: { orderId }, include: withLines });
  }
}
