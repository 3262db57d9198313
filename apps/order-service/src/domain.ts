/** Order rules, free of I/O. */
import type { Line } from '@oms/contracts/common/v1';
import type { Product } from '@oms/contracts/inventory/v1';
import { OrderStatus, type CreateCustomerRequest, type Shortfall, type UpdateOrderStatusRequest } from '@oms/contracts/order/v1';
import { canMove, type StatusName } from '@oms/contracts/order-lifecycle';
import { refuse, type Refusal } from '@oms/db';
import { pageToken, Violations } from '@oms/platform';

const maxInt64 = 9223372036854775807n;

/** Amounts are int64 minor units (BIGINT columns): a price or an order total must fit. */
export const isAmount = (minor: bigint): boolean => minor >= 0n && minor <= maxInt64;

/** A customer is named either by `name` or by `first_name` (+ `last_name`), never both. */
export function checkCustomerName(req: Pick<CreateCustomerRequest, 'name' | 'firstName' | 'lastName'>): void {
  const v = new Violations();
  if (req.firstName === '' && req.lastName === '') {
    v.required(req.name, 'name');
  } else {
    v.check(req.name === '', 'name', 'give either name or first_name and last_name, not both');
    v.required(req.firstName, 'first_name');
  }
  v.throwIfAny();
}

export interface CustomerName {
  firstName: string;
  /** null for a customer known by one name */
  lastName: string | null;
}

/** The customer's name as given: first and last, or a full name split at its first space (as the migration split them). */
export function customerName(req: Pick<CreateCustomerRequest, 'name' | 'firstName' | 'lastName'>): CustomerName {
  if (req.firstName !== '') return { firstName: req.firstName.trim(), lastName: req.lastName.trim() || null };
  const name = req.name.trim();
  const space = name.indexOf(' ');
  return space < 0 ? { firstName: name, lastName: null } : { firstName: name.slice(0, space), lastName: name.slice(space + 1) };
}

export const fullName = ({ firstName, lastName }: CustomerName): string => (lastName === null ? firstName : `${firstName} ${lastName}`);

/** A cancellation says why; an order awaiting its customer says what the stock cannot cover, and only such an order has a shortfall. */
export function checkStatusUpdate(req: Pick<UpdateOrderStatusRequest, 'newStatus' | 'reason' | 'shortfall'>): void {
  const v = new Violations();
  if (req.newStatus === OrderStatus.CANCELLED) v.required(req.reason, 'reason');
  if (req.newStatus === OrderStatus.AWAITING_CUSTOMER) v.check(req.shortfall.length > 0, 'shortfall', 'is required with new_status AWAITING_CUSTOMER');
  else v.check(req.shortfall.length === 0, 'shortfall', 'is allowed only with new_status AWAITING_CUSTOMER');
  v.throwIfAny();
}

/** Each line of a shortfall is an item of the order, once, with the quantity ordered as `requested` and fewer units `available`. */
export function checkShortfall(items: Pick<PricedItem, 'sku' | 'quantity'>[], shortfall: Shortfall[]): void {
  const ordered = new Map(items.map((item) => [item.sku, item.quantity]));
  const v = new Violations();
  shortfall.forEach(({ sku, requested, available }, i) => {
    const quantity = ordered.get(sku);
    v.check(quantity !== undefined, `shortfall[${i}].sku`, `sku ${sku} is not an item of the order`);
    v.check(shortfall.findIndex((s) => s.sku === sku) === i, `shortfall[${i}].sku`, `sku ${sku} appears on more than one line`);
    if (quantity !== undefined) v.check(requested === quantity, `shortfall[${i}].requested`, `sku ${sku}: ${quantity} units ordered, not ${requested}`);
    v.check(available >= 0 && available < requested, `shortfall[${i}].available`, `must be at least 0 and less than requested (${requested})`);
  });
  v.throwIfAny();
}

/** Why the order may not move from `actual` to `next` when the caller expected `expected`. */
export function transitionRefusal(orderId: bigint, actual: StatusName, expected: StatusName, next: StatusName): Refusal | undefined {
  if (actual !== expected) return refuse(`order ${orderId} is ${actual}, not ${expected}`);
  if (!canMove(actual, next)) return refuse(`cannot move order ${orderId} from ${actual} to ${next}`);
  return undefined;
}

/** What ValidateOrder checks before a PENDING order becomes VALIDATED. */
export function validationRefusal(order: {
  id: bigint;
  status: StatusName;
  itemCount: number;
  totalMinor: bigint;
  hasShippingAddress: boolean;
}): Refusal | undefined {
  if (order.status !== 'PENDING') return refuse(`order ${order.id} is ${order.status}; only a PENDING order can be validated`);
  const why = [
    order.itemCount === 0 && 'it has no items',
    order.totalMinor <= 0n && 'its total is not positive',
    !order.hasShippingAddress && 'its customer has no shipping address',
  ].filter(Boolean);
  return why.length > 0 ? refuse(`order ${order.id} cannot be validated: ${why.join(', ')}`) : undefined;
}

export interface PricedItem {
  sku: string;
  name: string;
  quantity: number;
  unitPriceMinor: bigint;
  lineTotalMinor: bigint;
}

export interface PricedOrder {
  items: PricedItem[];
  totalMinor: bigint;
  currency: string;
}

/**
 * Prices the lines at inventory's current prices. An sku inventory does not
 * know is a bad request; lines in several currencies cannot make one order.
 */
export function priceLines(lines: Line[], products: Product[]): PricedOrder | Refusal {
  const bySku = new Map(products.map((p) => [p.sku, p]));
  const v = new Violations();
  lines.forEach((line, i) => v.check(bySku.has(line.sku), `lines[${i}].sku`, `unknown sku ${line.sku}`));
  v.throwIfAny();
  const items = lines.map(({ sku, quantity }) => {
    const product = bySku.get(sku)!;
    const unitPriceMinor = product.unitPrice?.amountMinor ?? 0n;
    return { sku, name: product.name, quantity, unitPriceMinor, lineTotalMinor: unitPriceMinor * BigInt(quantity) };
  });
  const currencies = [...new Set(lines.map((l) => bySku.get(l.sku)!.unitPrice?.currency ?? ''))];
  if (currencies.length > 1) return refuse(`lines are priced in different currencies (${currencies.join(', ')}); an order has one currency`);
  const totalMinor = items.reduce((sum, item) => sum + item.lineTotalMinor, 0n);
  if (!isAmount(totalMinor)) return refuse('order total is larger than the largest amount an order can hold');
  return { items, totalMinor, currency: currencies[0]! };
}

export interface Amendment {
  /** The items whose quantity changed, with their new quantities and line totals. */
  changed: PricedItem[];
  /** The skus of the items left out. */
  dropped: string[];
  totalMinor: bigint;
  /** For the order's history: what changed. */
  reason: string;
}

/**
 * The customer's answer to a shortfall: each line keeps an item of the order
 * at no more units than ordered, priced at the unit price the order was
 * placed at; an item no line names is dropped. (The contract says the lines
 * are at least one, each sku once, each quantity positive.)
 */
export function amendItems(items: PricedItem[], lines: Line[]): Amendment {
  const bySku = new Map(items.map((item) => [item.sku, item]));
  const v = new Violations();
  lines.forEach(({ sku, quantity }, i) => {
    const item = bySku.get(sku);
    v.check(item !== undefined, `lines[${i}].sku`, `sku ${sku} is not an item of the order`);
    if (item) v.check(quantity <= item.quantity, `lines[${i}].quantity`, `sku ${sku}: at most ${item.quantity} units (ordered), ${quantity} asked`);
  });
  v.throwIfAny();
  const asked = new Map(lines.map((line) => [line.sku, line.quantity]));
  const kept = items.filter((item) => asked.has(item.sku)).map((item) => ({ before: item.quantity, item: repriced(item, asked.get(item.sku)!) }));
  const changed = kept.filter(({ before, item }) => item.quantity !== before);
  const dropped = items.filter((item) => !asked.has(item.sku)).map((item) => item.sku);
  const changes = [...changed.map(({ before, item }) => `${item.sku} ${before} → ${item.quantity}`), ...dropped.map((sku) => `${sku} dropped`)];
  return {
    changed: changed.map(({ item }) => item),
    dropped,
    totalMinor: kept.reduce((sum, { item }) => sum + item.lineTotalMinor, 0n),
    reason: `amended by the customer: ${changes.join(', ') || 'no change'}`,
  };
}

const repriced = (item: PricedItem, quantity: number): PricedItem => ({ ...item, quantity, lineTotalMinor: item.unitPriceMinor * BigInt(quantity) });

/** A page token's content (ListOrders, ListAllOrders): the last order's created_at (ISO 8601) and id. */
type Cursor = [createdAt: string, id: string];

function isCursor(value: unknown): value is Cursor {
  if (!Array.isArray(value) || value.length !== 2) return false;
  const [createdAt, id] = value as unknown[];
  return (
    typeof createdAt === 'string' &&
    !Number.isNaN(new Date(createdAt).getTime()) &&
    typeof id === 'string' &&
    /^[1-9][0-9]{0,18}$/.test(id) &&
    BigInt(id) <= maxInt64
  );
}

/** Where a page of orders ends: the last order's sort key (pages are newest first by created_at, then id). */
export interface OrderPosition {
  createdAt: Date;
  id: bigint;
}

/** A page request's size (0 means 20) and where it starts (after its page token's order). */
export function pageRequest(req: { pageSize: number; pageToken: string }): { limit: number; after?: OrderPosition } {
  const after = pageToken.decode(req.pageToken, isCursor);
  return { limit: req.pageSize || 20, after: after && { createdAt: new Date(after[0]), id: BigInt(after[1]) } };
}

/** The page out of rows fetched one beyond it: that extra row, if there is one, says a next page exists. */
export function pageOf<T extends OrderPosition>(rows: T[], limit: number): { page: T[]; nextPageToken: string } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const cursor: Cursor | undefined = rows.length > limit && last ? [last.createdAt.toISOString(), last.id.toString()] : undefined;
  return { page, nextPageToken: cursor ? pageToken.encode(cursor) : '' };
}
