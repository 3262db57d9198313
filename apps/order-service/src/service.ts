/** The OrderService RPC handlers: validate, run in the store, map to the wire. */
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { ConnectError, type Client, type ServiceImpl } from '@connectrpc/connect';
import { AddressSchema, MoneySchema, type Line } from '@oms/contracts/common/v1';
import type { InventoryService, Product } from '@oms/contracts/inventory/v1';
import {
  AmendOrderResponseSchema,
  CreateCustomerResponseSchema,
  CreateOrderResponseSchema,
  CustomerSchema,
  OrderItemSchema,
  OrderSchema,
  OrderService,
  OrderStatus,
  ShortfallSchema,
  StatusChangeSchema,
  UpdateOrderStatusResponseSchema,
  ValidateOrderResponseSchema,
  type Customer,
  type Order,
} from '@oms/contracts/order/v1';
import { statusName } from '@oms/contracts/order-lifecycle';
import { found, Refusal } from '@oms/db';
import { notFound } from '@oms/platform';
import { checkCustomerName, checkStatusUpdate, customerName, fullName, pageOf, pageRequest, priceLines } from './domain';
import type { OrderCache } from './cache';
import { bucketOfKey, customerBucket, newId } from './shards/ids';
import type { ShardRouter } from './shards/router';
import type { CrossShardHandlers } from './cross-shard';
import type { CustomerRow, OrderRow, OrderWithHistoryRow } from './store';

function toCustomer(row: CustomerRow): Customer {
  return create(CustomerSchema, {
    id: row.id.toString(),
    name: fullName(row),
    firstName: row.firstName,
    lastName: row.lastName ?? '',
    email: row.email,
    shippingAddress:
      row.shipLine1 === null
        ? undefined
        : create(AddressSchema, {
            name: row.shipName ?? '',
            line1: row.shipLine1,
            line2: row.shipLine2 ?? '',
            city: row.shipCity ?? '',
            postalCode: row.shipPostalCode ?? '',
            country: row.shipCountry ?? '',
          }),
    createdAt: timestampFromDate(row.createdAt),
  });
}

export function toOrder(row: OrderRow & Partial<Pick<OrderWithHistoryRow, 'history'>>): Order {
  const money = (amountMinor: bigint) => create(MoneySchema, { amountMinor, currency: row.currency });
  return create(OrderSchema, {
    id: row.id.toString(),
    customerId: row.customerId.toString(),
    status: OrderStatus[row.status],
    items: row.items.map((item) =>
      create(OrderItemSchema, {
        sku: item.sku,
        name: item.name,
        quantity: item.quantity,
        unitPrice: money(item.unitPriceMinor),
        lineTotal: money(item.lineTotalMinor),
      }),
    ),
    total: money(row.totalMinor),
    cancelReason: row.notes ?? '',
    createdAt: timestampFromDate(row.createdAt),
    updatedAt: timestampFromDate(row.updatedAt),
    shortfall: (row.shortfall ?? []).map((line) => create(ShortfallSchema, line)),
    history: (row.history ?? []).map((change) =>
      create(StatusChangeSchema, {
        from: change.fromStatus === null ? OrderStatus.UNSPECIFIED : OrderStatus[change.fromStatus],
        to: OrderStatus[change.toStatus],
        reason: change.reason,
        changedAt: timestampFromDate(change.changedAt),
      }),
    ),
  });
}

/** Inventory's current products for the lines; its failures keep their code, saying where they came from. */
async function productsFor(inventory: Client<typeof InventoryService>, lines: Line[]): Promise<Product[]> {
  try {
    const { products } = await inventory.listProducts({ skus: lines.map((l) => l.sku), pageSize: lines.length });
    return products;
  } catch (error) {
    const cause = ConnectError.from(error);
    throw new ConnectError(`inventory-service unavailable, cannot price the order: ${cause.rawMessage}`, cause.code, undefined, undefined, cause);
  }
}

export function createOrderService(
  router: ShardRouter,
  inventory: Client<typeof InventoryService>,
  cache: OrderCache,
  crossShard: CrossShardHandlers,
): ServiceImpl<typeof OrderService> {
  /**
   * Every write to an existing order goes through here. Invalidating after
   * the commit (not inside the transaction) means no GetOrder can read the
   * old row and cache it again after the invalidation. (CreateOrder needs
   * none: absence is never cached.)
   */
  async function writeOrder<T>(orderId: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } finally {
      cache.invalidate(orderId);
    }
  }

  /** The order's bucket; NOT_FOUND for an id that no order has. */
  async function bucketOfOrder(orderId: string): Promise<number> {
    const bucket = await router.orderBucket(BigInt(orderId));
    if (bucket === undefined) throw notFound(`order ${orderId}`);
    return bucket;
  }

  return {
    ...crossShard,

    async createCustomer(req) {
      checkCustomerName(req);
      const bucket = bucketOfKey(req.idempotencyKey);
      return router.run(bucket, ({ store }) =>
        store.transactIn(bucket, OrderService.method.createCustomer, req, async (tx) => {
          const row = await store.createCustomer(
            tx,
            { id: newId(bucket), bucket },
            { name: customerName(req), email: req.email, address: req.shippingAddress },
          );
          return create(CreateCustomerResponseSchema, { customer: toCustomer(row) });
        }),
      );
    },

    async getCustomer({ customerId }) {
      const id = BigInt(customerId);
      const bucket = customerBucket(id);
      const row = await router.run(bucket, async ({ store }) => (await store.getCustomer(id)) ?? store.assertOwns(bucket));
      if (!row) throw notFound(`customer ${customerId}`);
      return { customer: toCustomer(row) };
    },

    async createOrder(req) {
      const method = OrderService.method.createOrder;
      const customerId = BigInt(req.customerId);
      const bucket = customerBucket(customerId);
      return router.run(bucket, async ({ store }) => {
        // A replay must not depend on inventory: answer it before pricing.
        const replayed = await store.prior(method, req);
        if (replayed) return replayed;
        if (!(await store.getCustomer(customerId))) {
          await store.assertOwns(bucket);
          throw notFound(`customer ${req.customerId}`);
        }
        const priced = priceLines(req.lines, await productsFor(inventory, req.lines));
        return store.transactIn(bucket, method, req, async (tx) =>
          priced instanceof Refusal
            ? priced
            : create(CreateOrderResponseSchema, {
                order: toOrder(await store.createOrder(tx, { id: newId(bucket), bucket }, customerId, priced, req.paymentToken || null)),
              }),
        );
      });
    },

    async getOrder({ orderId }) {
      const order = await cache.get(orderId, async () => {
        const id = BigInt(orderId);
        const bucket = await router.orderBucket(id);
        if (bucket === undefined) return undefined;
        const row = await router.run(bucket, async ({ store }) => (await store.getOrder(id)) ?? store.assertOwns(bucket));
        return row ? toOrder(row) : undefined;
      });
      if (!order) throw notFound(`order ${orderId}`);
      return { order };
    },

    async listOrders(req) {
      const { limit, after } = pageRequest(req);
      const customerId = BigInt(req.customerId);
      const bucket = customerBucket(customerId);
      const rows = await router.run(bucket, async ({ store }) => {
        const rows = await store.listOrders({ customerId, status: statusName(req.status), after, limit: limit + 1 });
        if (rows.length === 0) await store.assertOwns(bucket);
        return rows;
      });
      const { page, nextPageToken } = pageOf(rows, limit);
      return { orders: page.map(toOrder), nextPageToken };
    },

    async validateOrder(req) {
      // The answer carries the shipping address too, so that the saga never reads the order or the customer again.
      const bucket = await bucketOfOrder(req.orderId);
      return writeOrder(req.orderId, () =>
        router.run(bucket, ({ store }) =>
          store.transactIn(bucket, OrderService.method.validateOrder, req, async (tx) => {
            const row = found(await store.validateOrder(tx, BigInt(req.orderId)), `order ${req.orderId}`, (row) => row);
            if (row instanceof Refusal) return row;
            const customer = await store.getCustomer(row.customerId, tx);
            return create(ValidateOrderResponseSchema, { order: toOrder(row), shippingAddress: customer ? toCustomer(customer).shippingAddress : undefined });
          }),
        ),
      );
    },

    async updateOrderStatus(req) {
      checkStatusUpdate(req);
      const expected = statusName(req.expectedStatus)!;
      const next = statusName(req.newStatus)!;
      const bucket = await bucketOfOrder(req.orderId);
      return writeOrder(req.orderId, () =>
        router.run(bucket, ({ store }) =>
          store.transactIn(bucket, OrderService.method.updateOrderStatus, req, async (tx) =>
            found(
              await store.updateStatus(tx, BigInt(req.orderId), expected, next, req.reason || `moved to ${next}`, req.shortfall),
              `order ${req.orderId}`,
              (row) => create(UpdateOrderStatusResponseSchema, { order: toOrder(row) }),
            ),
          ),
        ),
      );
    },

    async amendOrder(req) {
      const bucket = await bucketOfOrder(req.orderId);
      return writeOrder(req.orderId, () =>
        router.run(bucket, ({ store }) =>
          store.transactIn(bucket, OrderService.method.amendOrder, req, async (tx) =>
            found(await store.amendOrder(tx, BigInt(req.orderId), req.lines), `order ${req.orderId}`, (row) =>
              create(AmendOrderResponseSchema, { order: toOrder(row) }),
            ),
          ),
        ),
      );
    },
  };
}
