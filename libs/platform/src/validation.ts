import { Code, ConnectError } from '@connectrpc/connect';
import type { Address, Line, Money } from '@oms/contracts/common/v1';
import type { Violations } from './errors';

const currencies = new Set(Intl.supportedValuesOf('currency'));
const maxLines = 100;
const maxQuantity = 10_000;

export function checkMoney(v: Violations, money: Money | undefined, field: string, options = { allowZero: true }): void {
  if (!money) {
    v.check(false, field, 'is required');
    return;
  }
  v.check(currencies.has(money.currency), `${field}.currency`, `"${money.currency}" is not an ISO 4217 currency code`);
  v.check(
    options.allowZero ? money.amountMinor >= 0n : money.amountMinor > 0n,
    `${field}.amount_minor`,
    options.allowZero ? 'must not be negative' : 'must be positive',
  );
}

/** Order, reservation and shipment lines: 1 to 100, each sku once, quantities 1 to 10,000. */
export function checkLines(v: Violations, lines: Line[], field = 'lines'): void {
  v.check(lines.length > 0, field, 'must have at least one line');
  v.check(lines.length <= maxLines, field, `must have at most ${maxLines} lines`);
  const seen = new Set<string>();
  lines.forEach((line, i) => {
    v.required(line.sku, `${field}[${i}].sku`);
    v.check(!seen.has(line.sku), `${field}[${i}].sku`, `"${line.sku}" appears more than once`);
    seen.add(line.sku);
    v.check(line.quantity > 0, `${field}[${i}].quantity`, 'must be positive');
    v.check(line.quantity <= maxQuantity, `${field}[${i}].quantity`, `must be at most ${maxQuantity}`);
  });
}

export function checkAddress(v: Violations, address: Address | undefined, field: string): void {
  if (!address) {
    v.check(false, field, 'is required');
    return;
  }
  v.required(address.name, `${field}.name`);
  v.required(address.line1, `${field}.line1`);
  v.required(address.city, `${field}.city`);
  v.required(address.postalCode, `${field}.postal_code`);
  v.check(/^[A-Z]{2}$/.test(address.country), `${field}.country`, 'must be an ISO 3166-1 alpha-2 code such as "DE"');
}

/** Ids are positive 64-bit integers, sent as decimal strings. */
export const isId = (id: string): boolean => /^[1-9][0-9]{0,18}$/.test(id) && BigInt(id) <= 9223372036854775807n;

/** A malformed id is INVALID_ARGUMENT naming the field. */
export function checkId(v: Violations, id: string, field: string): void {
  v.check(isId(id), field, `"${id}" is not a valid id`);
}

/** Opaque keyset cursors: base64url JSON, so clients cannot depend on their shape. */
export const pageToken = {
  encode(position: unknown): string {
    return Buffer.from(JSON.stringify(position)).toString('base64url');
  },
  decode<T>(token: string, isValid: (value: unknown) => value is T): T | undefined {
    if (token === '') return undefined;
    try {
      const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString());
      if (isValid(value)) return value;
    } catch {
      // fall through to the error below
    }
    throw new ConnectError('page_token: malformed; pass next_page_token from a previous response', Code.InvalidArgument);
  },
};

export function pageSize(requested: number, fallback: number, max: number): number {
  if (requested < 0 || requested > max) {
    throw new ConnectError(`page_size: must be between 0 and ${max}`, Code.InvalidArgument);
  }
  return requested === 0 ? fallback : requested;
}
