/** Protobuf messages from the services -> the API's JSON (see schemas.ts). */
import type { Static } from '@sinclair/typebox';
import { timestampDate, type Timestamp } from '@bufbuild/protobuf/wkt';
import type { Address, Money } from '@oms/contracts/common/v1';
import type { Product } from '@oms/contracts/inventory/v1';
import {
  OrderStatus,
  type CountOrdersByStatusResponse,
  type Customer,
  type ListAllOrdersResponse,
  type Order,
  type ShardFailure,
} from '@oms/contracts/order/v1';
import type { StatusName } from '@oms/contracts/order-lifecycle';
import type {
  AllOrdersPage as AllOrdersPageJson,
  Customer as CustomerJson,
  Order as OrderJson,
  OrderCounts as OrderCountsJson,
  Product as ProductJson,
} from './schemas';

const money = (m: Money | undefined) => ({ amountMinor: (m?.amountMinor ?? 0n).toString(), currency: m?.currency ?? '' });
const time = (t: Timestamp | undefined) => (t ? timestampDate(t).toISOString() : '');
export const statusName = (s: OrderStatus) => OrderStatus[s] as StatusName;

export function orderView(order: Order): Static<typeof OrderJson> {
  return {
    id: order.id,
    customerId: order.customerId,
    status: statusName(order.status),
    items: order.items.map((i) => ({ sku: i.sku, name: i.name, quantity: i.quantity, unitPrice: money(i.unitPrice), lineTotal: money(i.lineTotal) })),
    total: money(order.total),
    ...(order.cancelReason ? { cancelReason: order.cancelReason } : {}),
    ...(order.shortfall.length ? { shortfall: order.shortfall.map(({ sku, requested, available }) => ({ sku, requested, available })) } : {}),
    createdAt: time(order.createdAt),
    updatedAt: time(order.updatedAt),
    history: order.history.map((h) => ({
      from: h.from === OrderStatus.UNSPECIFIED ? null : statusName(h.from),
      to: statusName(h.to),
      reason: h.reason,
      changedAt: time(h.changedAt),
    })),
  };
}

const missingShardsView = (missing: ShardFailure[]) => missing.map(({ shard, reason }) => ({ shard, reason }));

export function allOrdersView(page: ListAllOrdersResponse): Static<typeof AllOrdersPageJson> {
  return { orders: page.orders.map(orderView), nextPageToken: page.nextPageToken || null, missingShards: missingShardsView(page.missingShards) };
}

// Counts of orders stay far below 2^53: plain JSON numbers.
export function orderCountsView(answer: CountOrdersByStatusResponse): Static<typeof OrderCountsJson> {
  return {
    counts: answer.counts.map((c) => ({ status: statusName(c.status), count: Number(c.count) })),
    total: Number(answer.total),
    missingShards: missingShardsView(answer.missingShards),
  };
}

const addressView = (a: Address) => ({
  name: a.name,
  line1: a.line1,
  ...(a.line2 ? { line2: a.line2 } : {}),
  city: a.city,
  postalCode: a.postalCode,
  country: a.country,
});

export function customerView(c: Customer): Static<typeof CustomerJson> {
  return {
    id: c.id,
    name: c.name,
    firstName: c.firstName,
    ...(c.lastName ? { lastName: c.lastName } : {}),
    email: c.email,
    ...(c.shippingAddress ? { shippingAddress: addressView(c.shippingAddress) } : {}),
    createdAt: time(c.createdAt),
  };
}

export function productView(p: Product): Static<typeof ProductJson> {
  return {
    sku: p.sku,
    name: p.name,
    unitPrice: money(p.unitPrice),
    available: p.available,
    reserved: p.reserved,
    committed: p.committed,
    createdAt: time(p.createdAt),
    updatedAt: time(p.updatedAt),
  };
}
