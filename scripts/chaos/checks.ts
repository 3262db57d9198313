/**
 * What must hold after the chaos, read straight from the services' databases
 * (plain SQL, no service in between; every order shard): `readLedgers` loads
 * the rows, `runChecks` judges them against the plan.
 */
import pg from 'pg';
import type { PlannedOrder, Product } from './plan';

export const checkNames = [
  'every order placed exactly once',
  'every order terminal',
  'no order charged twice',
  'charged − refunded = total if completed, 0 if cancelled',
  "provider's ledger agrees with the payment records",
  'stock conserved per SKU, nothing reserved',
  'one live shipment per completed order, none per cancelled',
  'no order cancelled for a transient reason',
] as const;
export type CheckName = (typeof checkNames)[number];

export interface CheckResult {
  name: CheckName;
  /** How many things (orders, SKUs, charges) it looked at. */
  checked: number;
  failures: string[];
}

/** An order the driver placed, with the id the gateway answered. */
export interface PlacedOrder extends PlannedOrder {
  orderId: string;
}

/** One the gateway did not accept within the driver's retry window (or that was never sent after one such). */
export interface UnplacedOrder extends PlannedOrder {
  error: string;
}

async function query(url: string, sql: string): Promise<Record<string, string | null>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as Record<string, string | null>[];
  } finally {
    await client.end();
  }
}

export type Ledgers = Awaited<ReturnType<typeof readLedgers>>;

/** The rows of every order shard (`urls`: shard 0 first), each with its shard's number. */
async function queryShards(urls: string[], sql: string): Promise<Record<string, string | null>[]> {
  const shards = await Promise.all(urls.map((url) => query(url, sql)));
  return shards.flatMap((rows, shard) => rows.map((row) => ({ ...row, shard: String(shard) })));
}

/** Every row the checks need; bigints arrive as strings. `db.order`: every order shard, shard 0 first. */
export async function readLedgers(db: { order: string[]; payment: string; inventory: string; shipping: string }) {
  const [orders, items, payments, refunds, charges, providerRefunds, products, reservations, shipments] = await Promise.all([
    queryShards(db.order, 'SELECT id::text, status::text, total_minor::text, notes FROM orders'),
    queryShards(db.order, 'SELECT order_id::text, sku, quantity FROM order_items'),
    query(db.payment, 'SELECT id::text, order_id, status::text, amount_minor::text, refunded_minor::text, provider_charge_id FROM payments'),
    query(db.payment, 'SELECT payment_id::text, amount_minor::text, provider_refund_id FROM refunds'),
    query(db.payment, 'SELECT id::text, key, status::text, amount_minor::text FROM provider_charges'),
    query(db.payment, 'SELECT id::text, charge_id::text, amount_minor::text FROM provider_refunds'),
    query(db.inventory, 'SELECT sku, available, reserved, committed FROM products'),
    query(db.inventory, 'SELECT order_id, status::text FROM reservations'),
    query(db.shipping, 'SELECT order_id, status::text FROM shipments'),
  ]);
  return { orders, items, payments, refunds, charges, providerRefunds, products, reservations, shipments };
}

export const isTerminal = (status: string | null | undefined) => status === 'COMPLETED' || status === 'DELIVERED' || status === 'CANCELLED';
const isCompleted = (status: string | null | undefined) => status === 'COMPLETED' || status === 'DELIVERED';

const groupBy = <T>(rows: T[], key: (row: T) => string | null | undefined): Map<string, T[]> => {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row) ?? '';
    groups.set(k, [...(groups.get(k) ?? []), row]);
  }
  return groups;
};
const sum = (rows: Record<string, string | null>[], column: string) => rows.reduce((total, r) => total + BigInt(r[column] ?? 0), 0n);

/** The provider sees only our key: `charge:<key>`, where the key begins with the workflow id `order-<id>`. */
const chargeOrder = (key: string | null | undefined) => /(?:^|:)order-([0-9]+):/.exec(key ?? '')?.[1];

export function runChecks(placed: PlacedOrder[], unplaced: UnplacedOrder[], products: Product[], l: Ledgers): CheckResult[] {
  const orders = new Map(l.orders.map((o) => [o.id!, o]));
  const describe = (p: PlacedOrder) => `order ${p.orderId} (${p.kind}, ${p.paymentToken})`;
  const terminal = placed.filter((p) => isTerminal(orders.get(p.orderId)?.status));
  const results: CheckResult[] = [];
  const check = (name: CheckName, checked: number, failures: string[]) => results.push({ name, checked, failures });

  // Placed exactly once: accepted in the end, no second order from the driver's retries, none
  // missing, and on one shard only (a copy on a second shard is a duplicate the ids do not show).
  const ids = new Set(placed.map((p) => p.orderId));
  const shardsOf = groupBy(l.orders, (o) => o.id);
  check('every order placed exactly once', placed.length + unplaced.length, [
    ...unplaced.map((u) => `order #${u.index} (${u.kind}, ${u.paymentToken}) not placed: ${u.error}`),
    ...(ids.size !== placed.length ? [`${placed.length} orders placed but ${ids.size} distinct ids answered`] : []),
    ...placed.filter((p) => !orders.has(p.orderId)).map((p) => `${describe(p)} is on no order shard`),
    ...[...orders.values()].filter((o) => !ids.has(o.id!)).map((o) => `order ${o.id} on order shard ${o.shard} was never placed by the driver (a duplicate?)`),
    ...[...shardsOf]
      .filter(([, rows]) => rows.length > 1)
      .map(([id, rows]) => `order ${id} is on ${rows.length} order shards (${rows.map((r) => r.shard).join(', ')}): it must be on one`),
  ]);

  check(
    'every order terminal',
    placed.length,
    placed.filter((p) => !terminal.includes(p)).map((p) => `${describe(p)} is ${orders.get(p.orderId)?.status ?? 'missing'}`),
  );

  const payments = groupBy(l.payments, (p) => p.order_id);
  const approved = l.charges.filter((c) => c.status === 'APPROVED');
  const providerCharges = groupBy(approved, (c) => chargeOrder(c.key));
  const refundsByCharge = groupBy(l.providerRefunds, (r) => r.charge_id);
  check(
    'no order charged twice',
    placed.length,
    placed.flatMap((p) => {
      const taken = (payments.get(p.orderId) ?? []).filter((x) => x.status !== 'DECLINED').length;
      const atProvider = (providerCharges.get(p.orderId) ?? []).length;
      return taken > 1 || atProvider > 1 ? [`${describe(p)}: ${taken} payments taken, ${atProvider} approved provider charges`] : [];
    }),
  );

  check(
    'charged − refunded = total if completed, 0 if cancelled',
    terminal.length,
    terminal.flatMap((p) => {
      const order = orders.get(p.orderId)!;
      const expected = isCompleted(order.status) ? BigInt(order.total_minor!) : 0n;
      const taken = (payments.get(p.orderId) ?? []).filter((x) => x.status !== 'DECLINED');
      const service = sum(taken, 'amount_minor') - sum(taken, 'refunded_minor');
      const atProvider = providerCharges.get(p.orderId) ?? [];
      const provider = sum(atProvider, 'amount_minor') - atProvider.reduce((t, c) => t + sum(refundsByCharge.get(c.id!) ?? [], 'amount_minor'), 0n);
      return service === expected && provider === expected
        ? []
        : [`${describe(p)} ${order.status} total ${order.total_minor}: payment service nets ${service}, provider nets ${provider}, expected ${expected}`];
    }),
  );

  // Every payment row is the provider's charge with the same amount, outcome and refunds, and vice versa.
  const chargeById = new Map(l.charges.map((c) => [`ch_${c.id}`, c]));
  const paymentByCharge = groupBy(l.payments, (p) => p.provider_charge_id);
  const refundsByPayment = groupBy(l.refunds, (r) => r.payment_id);
  const providerRefundIds = new Set(l.providerRefunds.map((r) => `re_${r.id}`));
  const ledger: string[] = [];
  for (const p of l.payments) {
    const c = chargeById.get(p.provider_charge_id!);
    const refunds = refundsByPayment.get(p.id!) ?? [];
    const wanted = p.status === 'DECLINED' ? 'DECLINED' : 'APPROVED';
    if (!c) ledger.push(`payment ${p.id} (order ${p.order_id}): no provider charge ${p.provider_charge_id}`);
    else if (c.status !== wanted || c.amount_minor !== p.amount_minor) {
      ledger.push(`payment ${p.id} (order ${p.order_id}) ${p.status} ${p.amount_minor}: provider has ${c.status} ${c.amount_minor}`);
    } else if (
      sum(refunds, 'amount_minor') !== BigInt(p.refunded_minor!) ||
      BigInt(p.refunded_minor!) !== sum(refundsByCharge.get(c.id!) ?? [], 'amount_minor')
    ) {
      ledger.push(
        `payment ${p.id} (order ${p.order_id}): refunded ${p.refunded_minor}, its refunds sum to ${sum(refunds, 'amount_minor')}, the provider's to ${sum(refundsByCharge.get(c.id!) ?? [], 'amount_minor')}`,
      );
    }
    for (const r of refunds)
      if (!providerRefundIds.has(r.provider_refund_id!)) ledger.push(`refund ${r.provider_refund_id} of payment ${p.id}: unknown to the provider`);
  }
  for (const c of approved) {
    const recorded = paymentByCharge.get(`ch_${c.id}`)?.length ?? 0;
    if (recorded !== 1) ledger.push(`provider charge ch_${c.id} (${c.key}, ${c.amount_minor}) approved but recorded by ${recorded} payments`);
  }
  check("provider's ledger agrees with the payment records", l.payments.length + approved.length, ledger);

  // Per SKU: what was seeded = available + reserved + committed; nothing still
  // reserved; committed = what the completed orders bought.
  const sold = new Map<string, number>();
  const open = new Map<string, number>(); // in orders still under way: explains a difference, does not excuse it
  for (const item of l.items) {
    const status = orders.get(item.order_id!)?.status;
    const into = isCompleted(status) ? sold : isTerminal(status) ? undefined : open;
    into?.set(item.sku!, (into.get(item.sku!) ?? 0) + Number(item.quantity));
  }
  const rows = new Map(l.products.map((p) => [p.sku!, p]));
  const stock = products.flatMap((product) => {
    const row = rows.get(product.sku);
    if (!row) return [`${product.sku}: missing from oms_inventory`];
    const [available, reserved, committed] = [row.available, row.reserved, row.committed].map(Number) as [number, number, number];
    const fine = available + reserved + committed === product.stock && reserved === 0 && committed === (sold.get(product.sku) ?? 0);
    const pending = open.get(product.sku) ? ` (and ${open.get(product.sku)} are in orders not ended)` : '';
    return fine
      ? []
      : [
          `${product.sku}: seeded ${product.stock}, now available ${available} + reserved ${reserved} + committed ${committed}; completed orders bought ${sold.get(product.sku) ?? 0}${pending}`,
        ];
  });
  const held = l.reservations.filter((r) => r.status === 'RESERVED').map((r) => `order ${r.order_id}: reservation still RESERVED`);
  check('stock conserved per SKU, nothing reserved', products.length, [...stock, ...held]);

  const live = groupBy(
    l.shipments.filter((s) => s.status !== 'CANCELLED'),
    (s) => s.order_id,
  );
  check(
    'one live shipment per completed order, none per cancelled',
    terminal.length,
    terminal.flatMap((p) => {
      const status = orders.get(p.orderId)!.status;
      const count = live.get(p.orderId)?.length ?? 0;
      return count === (isCompleted(status) ? 1 : 0) ? [] : [`${describe(p)} ${status} has ${count} live shipments`];
    }),
  );

  // The outcome the token and stock imply, nothing else: flaky and slow cards complete.
  check(
    'no order cancelled for a transient reason',
    terminal.length,
    terminal.flatMap((p) => {
      const { status, notes } = orders.get(p.orderId)!;
      const ended = isCompleted(status) ? 'COMPLETED' : 'CANCELLED';
      const fine = p.expected.status === 'COMPLETED' ? ended === 'COMPLETED' : ended === 'CANCELLED' && (notes ?? '').startsWith(p.expected.reason);
      const wanted = p.expected.status === 'COMPLETED' ? 'COMPLETED' : `CANCELLED "${p.expected.reason}"`;
      return fine ? [] : [`${describe(p)}: ${status}${notes ? ` "${notes}"` : ''}, expected ${wanted}`];
    }),
  );
  return results;
}
