/**
 * inventory-service's activities: reserve and commit the order's stock (each
 * moving the order's status), release it, and find what the stock cannot cover.
 */
import { sagaMoves } from '@oms/contracts/order-lifecycle';
import { businessErrors, type OrderLine, type StockShortfall } from '@oms/contracts/workflows';
import type { ActivityDeps, SharedCalls } from '.';
import { key, signal } from './calls';
import { refusalsAs, stockDetails } from './errors';
import type { OrderSnapshot } from './order';

export function inventoryActivities({ inventory }: Pick<ActivityDeps, 'inventory'>, { status, compensate }: SharedCalls) {
  return {
    /** An amended order's lines, and a try once more, are reserved under a key of their own: the refusal before is kept under its key. */
    async reserve({ orderId, lines, amendment, reserveAgain }: OrderSnapshot): Promise<void> {
      const idempotencyKey = key(`${amendment ? `reserve-${amendment}` : 'reserve'}${reserveAgain ? '-again' : ''}`);
      await refusalsAs(businessErrors.insufficientStock, inventory.reserveStock({ orderId, lines, idempotencyKey }, signal()), stockDetails);
      await status.move(orderId, sagaMoves['reserve stock']);
    },

    async commit(orderId: string): Promise<void> {
      await refusalsAs(businessErrors.invalidOrder, inventory.commitReservation({ orderId, idempotencyKey: key('commit') }, signal()));
      await status.move(orderId, sagaMoves['commit stock']);
    },

    /** The lines the stock cannot cover now, each with what is available (an unknown sku has none); inventory's refusal names only the first. */
    async stockShortfall(lines: OrderLine[]): Promise<StockShortfall[]> {
      const { products } = await inventory.listProducts({ skus: lines.map((l) => l.sku), pageSize: lines.length }, signal());
      const available = new Map(products.map((p) => [p.sku, p.available]));
      return lines
        .map(({ sku, quantity }) => ({ sku, requested: quantity, available: available.get(sku) ?? 0 }))
        .filter(({ requested, available }) => available < requested);
    },

    releaseReservation: (orderId: string) =>
      compensate('release reservation', () => inventory.releaseReservation({ orderId, reason: 'order cancelled', idempotencyKey: key('release') }, signal())),
  };
}
