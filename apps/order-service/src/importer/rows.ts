/**
 * CSV records as order rows, by the order rules of domain.ts. Each field:
 *   order_ref         non-empty; consecutive rows with the same ref make one order
 *   customer_id       an id (whether the customer exists is the database's to say)
 *   sku, name         non-empty; an sku once per order
 *   quantity          an integer within the contract's limits for a line (and as many rows an order as CreateOrder takes)
 *   unit_price_minor  integer >= 0, minor units of `currency`
 *   currency          ISO 4217, the same on every row of an order
 * Ids, skus, quantities, amounts and currencies obey the contract's rules (proto/), checked by its validator.
 *   created_at        ISO 8601 (2024-05-01T10:00:00Z; no zone means UTC), the same on every row of an order
 */
import { create } from '@bufbuild/protobuf';
import { LineSchema, MoneySchema } from '@oms/contracts/common/v1';
import { CreateOrderRequestSchema, GetCustomerRequestSchema } from '@oms/contracts/order/v1';
import { contractViolations, type FieldViolation } from '@oms/platform';
import { isAmount } from '../domain';
import { columns, type CsvRecord } from './csv';
import { parseTimestamp } from './timestamp';

export interface ImportRow {
  line: number;
  ref: string;
  customerId: string;
  sku: string;
  name: string;
  quantity: number;
  unitPriceMinor: bigint;
  currency: string;
  /** ISO 8601 in UTC. */
  createdAt: string;
}

// The CSV's name for a contract field, where they differ.
const columnOf: Record<string, string> = { amount_minor: 'unit_price_minor' };

/** A record as a row, or why it is wrong (all reasons at once). */
export function parseRow(record: CsvRecord): { row: ImportRow } | { ref: string; problems: string[] } {
  if ('problem' in record) return { ref: '', problems: [record.problem] };
  const { fields, firstLine: line } = record;
  if (fields.length !== columns.length) return { ref: fields[0] ?? '', problems: [`expected ${columns.length} fields, got ${fields.length}`] };
  const [ref, customerId, sku, name, quantity, unitPrice, currency, createdAt] = fields as [string, string, string, string, string, string, string, string];
  const problems: string[] = [];
  if (ref === '') problems.push('order_ref is empty');
  if (name === '') problems.push('name is empty');
  const qty = /^-?[0-9]{1,9}$/.test(quantity) ? Number(quantity) : NaN;
  const price = /^[0-9]{1,19}$/.test(unitPrice) ? BigInt(unitPrice) : -1n;
  const given: Record<string, string> = { customer_id: customerId, sku, quantity, amount_minor: unitPrice, currency };
  const broken = (violations: FieldViolation[]) => violations.map(({ field, description }) => `${columnOf[field] ?? field} "${given[field]}": ${description}`);
  problems.push(...broken(contractViolations(GetCustomerRequestSchema, create(GetCustomerRequestSchema, { customerId }))));
  if (Number.isNaN(qty)) problems.push(`quantity "${quantity}" is not an integer`);
  else problems.push(...broken(contractViolations(LineSchema, create(LineSchema, { sku, quantity: qty }))));
  if (!isAmount(price)) problems.push(`unit_price_minor "${unitPrice}" is not a whole number of minor units >= 0`);
  else problems.push(...broken(contractViolations(MoneySchema, create(MoneySchema, { amountMinor: price, currency }))));
  const created = parseTimestamp(createdAt);
  if (!created) problems.push(`created_at "${createdAt}" is not an ISO 8601 timestamp`);
  if (problems.length > 0) return { ref, problems };
  return { row: { line, ref, customerId, sku, name, quantity: qty, unitPriceMinor: price, currency, createdAt: created! } };
}

/** Rules across the rows of one order; undefined when it may be imported. */
export function orderProblem(rows: ImportRow[]): string | undefined {
  const first = rows[0]!;
  const differing = (key: 'customerId' | 'currency' | 'createdAt', what: string) => {
    const values = [...new Set(rows.map((r) => r[key]))];
    return values.length > 1 ? `${what} (${values.join(', ')})` : undefined;
  };
  const mixed = [
    differing('currency', 'mixed currencies'),
    differing('customerId', 'several customer_ids'),
    differing('createdAt', 'several created_at values'),
  ]
    .filter(Boolean)
    .join('; ');
  if (mixed) return `order ${first.ref} has ${mixed}; an order has one of each`;
  const seen = new Map<string, number>();
  for (const row of rows) {
    const earlier = seen.get(row.sku);
    if (earlier !== undefined) return `line ${row.line}: sku ${row.sku} already on line ${earlier} of order ${row.ref}`;
    seen.set(row.sku, row.line);
  }
  const lines = rows.map(({ sku, quantity }) => create(LineSchema, { sku, quantity }));
  const [tooMany] = contractViolations(
    CreateOrderRequestSchema,
    create(CreateOrderRequestSchema, { customerId: first.customerId, lines, idempotencyKey: first.ref }),
  );
  if (tooMany) return `order ${first.ref}: ${tooMany.field}: ${tooMany.description}`;
  const total = rows.reduce((sum, r) => sum + r.unitPriceMinor * BigInt(r.quantity), 0n);
  if (!isAmount(total)) return `order ${first.ref}: total is larger than an order can hold`;
  return undefined;
}
