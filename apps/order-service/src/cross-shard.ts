/**
 * The RPCs that read every shard: ListAllOrders and CountOrdersByStatus (the
 * back office's), ListPendingOrders (the orphan reconciler's). Each asks all shards at once and answers with what the
 * shards that answered in time hold, naming the others in missing_shards.
 */
import { create } from '@bufbuild/protobuf';
import { timestampDate, timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { ServiceImpl } from '@connectrpc/connect';
import {
  CountOrdersByStatusResponseSchema,
  ListAllOrdersResponseSchema,
  ListPendingOrdersResponseSchema,
  OrderService,
  OrderStatus,
  PendingOrderSchema,
  StatusCountSchema,
} from '@oms/contracts/order/v1';
import { statuses, statusName, type StatusName } from '@oms/contracts/order-lifecycle';
import { pageOf, pageRequest } from './domain';
import { toOrder } from './service';
import { fanOut, mergeNewestFirst, mergeOldestFirst, type Shard } from './shards/fan-out';

export type CrossShardHandlers = Pick<ServiceImpl<typeof OrderService>, 'listAllOrders' | 'countOrdersByStatus' | 'listPendingOrders'>;

/** `shards`: the shards as the router knows them now (a function, so a reloaded map is seen). */
export function crossShardHandlers(shards: () => Shard[], timeoutMs: number): CrossShardHandlers {
  return {
    /**
     * Each shard's page after the cursor, one row longer than the page, merged
     * newest first: the page is the newest of all of them, and the extra row
     * says whether there is more. The cursor is a position in time, not a
     * shard's offset, so the pages stay stable while orders arrive, and a
     * shard missing from one page does not shift the others.
     */
    async listAllOrders(req) {
      const { limit, after } = pageRequest(req);
      const status = statusName(req.status);
      const { answers, missing } = await fanOut(shards(), timeoutMs, (shard) => shard.store.listOrders({ status, after, limit: limit + 1 }));
      const { page, nextPageToken } = pageOf(
        mergeNewestFirst(
          answers.map((a) => a.value),
          limit + 1,
        ),
        limit,
      );
      return create(ListAllOrdersResponseSchema, { orders: page.map(toOrder), nextPageToken, missingShards: missing });
    },

    /** As listAllOrders, oldest first: each shard's page after the cursor, one row longer, merged. */
    async listPendingOrders(req) {
      const { limit, after } = pageRequest(req);
      const createdBefore = timestampDate(req.createdBefore!);
      const { answers, missing } = await fanOut(shards(), timeoutMs, (shard) => shard.store.pendingOrders({ createdBefore, after, limit: limit + 1 }));
      const { page, nextPageToken } = pageOf(
        mergeOldestFirst(
          answers.map((a) => a.value),
          limit + 1,
        ),
        limit,
      );
      const orders = page.map((row) =>
        create(PendingOrderSchema, {
          orderId: row.id.toString(),
          customerId: row.customerId.toString(),
          createdAt: timestampFromDate(row.createdAt),
          paymentToken: row.paymentToken ?? '',
        }),
      );
      return create(ListPendingOrdersResponseSchema, { orders, nextPageToken, missingShards: missing });
    },

    async countOrdersByStatus() {
      const { answers, missing } = await fanOut(shards(), timeoutMs, (shard) => shard.store.countOrdersByStatus());
      const byStatus = new Map<StatusName, bigint>();
      for (const { status, count } of answers.flatMap((a) => a.value)) byStatus.set(status, (byStatus.get(status) ?? 0n) + count);
      const counts = statuses.filter((s) => byStatus.has(s)).map((s) => create(StatusCountSchema, { status: OrderStatus[s], count: byStatus.get(s)! }));
      const total = counts.reduce((sum, c) => sum + c.count, 0n);
      return create(CountOrdersByStatusResponseSchema, { counts, total, missingShards: missing });
    },
  };
}
