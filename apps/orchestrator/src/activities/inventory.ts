/** inventory-service's activities: reserve and commit the order's stock (each moving the order's status), and release it. */
import { sagaMoves } from '@oms/contracts/order-lifecycle';
import { businessErrors } from '@oms/contracts/workflows';
import type { ActivityDeps, SharedCalls } from '.';
import { key, signal } from './calls';
import { refusalsAs, stockDetails } from './errors';
import type { OrderSnapshot } from './order';

export function inventoryActivities({ inventory }: Pick<ActivityDeps, 'inventory'>, { status, compensate }: SharedCalls) {
  return {
    async reserve({ orderId, lines }: OrderSnapshot): Promise<void> {
      await refusalsAs(businessErrors.insufficientStock, inventory.reserveStock({ orderId, lines, idempotencyKey: key('reserve') }, signal()), stockDetails);
      await status.move(orderId, sagaMoves['reserve stock']);
    },

    async commit(orderId: string): Promise<void> {
      await refusalsAs(businessErrors.invalidOrder, inventory.commitReservation({ orderId, idempotencyKey: key('commit') }, signal()));
      await status.move(orderId, sagaMoves['commit stock']);
    },

    releaseReservation: (orderId: string) =>
      compensate('release reservation', () => inventory.releaseReservation({ orderId, reason: 'order cancelled', idempotencyKey: key('release') }, signal())),
  };
}
