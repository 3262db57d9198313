/**
 * Bulk import of orders with their items from CSV (the CLI is src/import.ts).
 *
 * The file: UTF-8, a header line exactly
 *   order_ref,customer_id,sku,name,quantity,unit_price_minor,currency,created_at
 * then one line per item. Consecutive lines with the same order_ref make one
 * order; an order_ref may not come back later in the file. Fields may be
 * quoted ("a, b" and "say ""hi""" as in RFC 4180) but not span lines.
 *   customer_id       an existing customer's id
 *   sku, name         non-empty; an sku once per order
 *   quantity          integer 1..10000 (the service's limits: 1..100 items an order)
 *   unit_price_minor  integer >= 0, minor units of `currency`
 *   currency          ISO 4217, the same on every line of an order
 *   created_at        ISO 8601 (2024-05-01T10:00:00Z; no zone means UTC), the same on every line of an order
 * Each order is written PENDING with total = sum(quantity * unit_price_minor)
 * and one history row null -> PENDING "imported" dated at its created_at.
 *
 * How it is written: orders are grouped into chunks of N; each chunk runs
 * under a SAVEPOINT: its lines are COPYed (pg-copy-streams) into a temporary
 * staging table, then one statement takes ids from the orders sequence and
 * INSERT ... SELECTs the orders, items and history. A chunk naming an unknown
 * customer fails its foreign key, is rolled back to its savepoint and
 * reported; the import goes on with the next chunk.
 *
 * Why one transaction for the whole file rather than a commit per chunk:
 * orders keep no trace of their order_ref (the schema has no column for it),
 * so a half-committed import could not be resumed without duplicating orders.
 * With one transaction a crash or Ctrl-C leaves nothing, and the remedy is
 * always "run the file again". The cost: the transaction holds its snapshot
 * for the whole run, and past 64 chunks its subtransactions overflow
 * Postgres's per-backend cache, which slows other sessions' snapshots until
 * it commits; use larger chunks for very large files.
 */
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

export const csvHeader = 'order_ref,customer_id,sku,name,quantity,unit_price_minor,currency,created_at';
const columnCount = csvHeader.split(',').length;
const maxQuantity = 10_000;
const maxItems = 100;
const maxInt64 = 9223372036854775807n;
const currencies = new Set(Intl.supportedValuesOf('currency'));

export class BadHeaderError extends Error {
  override name = 'BadHeaderError';
}

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

export interface ImportOrder {
  ref: string;
  firstLine: number;
  lastLine: number;
  rows: ImportRow[];
}

/** Lines that were not imported, and why. */
export interface Rejection {
  firstLine: number;
  lastLine: number;
  orders: number;
  /** The order's ref, when one order was rejected. */
  ref?: string;
  reason: string;
}

/** Splits one CSV line into fields; undefined when a quote is left open. */
export function splitCsvLine(line: string): string[] | undefined {
  if (!line.includes('"')) return line.split(',');
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else field += c;
  }
  if (quoted) return undefined;
  fields.push(field);
  return fields;
}

/** Refuses a file whose first line is not exactly the header (a UTF-8 BOM aside). */
export function checkHeader(line: string | undefined): void {
  const header = line?.replace(/^\uFEFF/, '');
  if (header !== csvHeader) {
    throw new BadHeaderError(`line 1: the header must be exactly "${csvHeader}", got ${line === undefined ? 'an empty file' : `"${line}"`}`);
  }
}

const isoTimestamp = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;
const daysIn = (year: number, month: number) =>
  month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
let lastTimestamp: [text: string, iso: string | undefined] = ['', undefined];

/**
 * An ISO 8601 date or date-time (no zone means UTC) as a UTC ISO string;
 * undefined when it is not one or names no real day. Done by hand, not by
 * Date's parser, which rolls 2024-02-30 over to March and was most of the
 * parsing time; the last answer is kept since an order's lines repeat it.
 */
export function parseTimestamp(text: string): string | undefined {
  if (text === lastTimestamp[0]) return lastTimestamp[1];
  const m = isoTimestamp.exec(text);
  let iso: string | undefined;
  if (m) {
    const [year, month, day, hour = 0, minute = 0, second = 0] = m.slice(1, 7).map((v) => Number(v ?? 0)) as number[];
    const [, sign = '+', zoneHours = '0', zoneMinutes = '0'] = /^([+-])(\d{2}):?(\d{2})?$/.exec(m[8] ?? '') ?? [];
    const offsetMinutes = (sign === '-' ? -1 : 1) * (Number(zoneHours) * 60 + Number(zoneMinutes));
    if (month! >= 1 && month! <= 12 && day! >= 1 && day! <= daysIn(year!, month!) && hour <= 23 && minute <= 59 && second <= 59) {
      const date = new Date(0);
      date.setUTCFullYear(year!, month! - 1, day!);
      date.setUTCHours(hour, minute - offsetMinutes, second, Number((m[7] ?? '').padEnd(3, '0').slice(0, 3)));
      iso = date.toISOString();
    }
  }
  lastTimestamp = [text, iso];
  return iso;
}

/** One data line: the row, or why it is wrong (all reasons at once). */
export function parseRow(text: string, line: number): { row: ImportRow } | { ref: string; problems: string[] } {
  const fields = splitCsvLine(text);
  if (!fields) return { ref: '', problems: ['a quoted field is not closed (fields cannot span lines)'] };
  if (fields.length !== columnCount) return { ref: fields[0] ?? '', problems: [`expected ${columnCount} fields, got ${fields.length}`] };
  const [ref, customerId, sku, name, quantity, unitPrice, currency, createdAt] = fields as [string, string, string, string, string, string, string, string];
  const problems: string[] = [];
  if (ref === '') problems.push('order_ref is empty');
  if (!/^[1-9][0-9]{0,18}$/.test(customerId) || BigInt(customerId) > maxInt64) problems.push(`customer_id "${customerId}" is not an id`);
  if (sku === '') problems.push('sku is empty');
  if (name === '') problems.push('name is empty');
  const qty = /^-?[0-9]{1,9}$/.test(quantity) ? Number(quantity) : NaN;
  if (!(qty >= 1 && qty <= maxQuantity)) problems.push(`quantity "${quantity}" is not an integer from 1 to ${maxQuantity}`);
  const price = /^[0-9]{1,19}$/.test(unitPrice) ? BigInt(unitPrice) : -1n;
  if (price < 0n || price > maxInt64) problems.push(`unit_price_minor "${unitPrice}" is not a whole number of minor units >= 0`);
  if (!currencies.has(currency)) problems.push(`currency "${currency}" is not an ISO 4217 code`);
  const created = parseTimestamp(createdAt);
  if (!created) problems.push(`created_at "${createdAt}" is not an ISO 8601 timestamp`);
  if (problems.length > 0) return { ref, problems };
  return { row: { line, ref, customerId, sku, name, quantity: qty, unitPriceMinor: price, currency, createdAt: created! } };
}

/** Rules across the lines of one order; undefined when it may be imported. */
export function orderProblem(rows: ImportRow[]): string | undefined {
  const first = rows[0]!;
  const differing = (key: 'customerId' | 'currency' | 'createdAt', what: string) => {
    const values = [...new Set(rows.map((r) => r[key]))];
    return values.length > 1 ? `${what} (${values.join(', ')})` : undefined;
  };
  const mixed = [differing('currency', 'mixed currencies'), differing('customerId', 'several customer_ids'), differing('createdAt', 'several created_at values')]
    .filter(Boolean)
    .join('; ');
  if (mixed) return `order ${first.ref} has ${mixed}; an order has one of each`;
  if (rows.length > maxItems) return `order ${first.ref} has ${rows.length} items; at most ${maxItems}`;
  const seen = new Map<string, number>();
  for (const row of rows) {
    const earlier = seen.get(row.sku);
    if (earlier !== undefined) return `line ${row.line}: sku ${row.sku} already on line ${earlier} of order ${row.ref}`;
    seen.set(row.sku, row.line);
  }
  const total = rows.reduce((sum, r) => sum + r.unitPriceMinor * BigInt(r.quantity), 0n);
  if (total > maxInt64) return `order ${first.ref}: total is larger than an order can hold`;
  return undefined;
}

export type ReadEvent = { order: ImportOrder } | { rejection: Rejection };

/**
 * Reads the CSV as a stream: refuses a bad header (BadHeaderError) before
 * yielding anything, then yields each order, or its rejection when any of
 * its lines is wrong (every wrong line listed with its number).
 */
export async function* readOrders(input: Readable, onLine: (line: number) => void = () => {}): AsyncGenerator<ReadEvent> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNo = 0;
  let current: { ref: string; firstLine: number; lastLine: number; rows: ImportRow[]; problems: { line: number; text: string }[] } | undefined;
  const seenRefs = new Map<string, number>();

  function* finish(): Generator<ReadEvent> {
    if (!current) return;
    const { ref, firstLine, lastLine, rows, problems } = current;
    current = undefined;
    const earlier = seenRefs.get(ref);
    const reasons = problems.map((p) => (firstLine === lastLine ? p.text : `line ${p.line}: ${p.text}`));
    if (ref !== '' && earlier !== undefined) reasons.unshift(`order_ref ${ref} already appeared on line ${earlier}; lines of one order must be consecutive`);
    else if (ref !== '') seenRefs.set(ref, firstLine);
    const reason = reasons.length > 0 ? reasons.join('; ') : orderProblem(rows);
    if (reason) yield { rejection: { firstLine, lastLine, orders: 1, ref, reason } };
    else yield { order: { ref, firstLine, lastLine, rows } };
  }

  for await (const text of lines) {
    lineNo++;
    onLine(lineNo);
    if (lineNo === 1) {
      checkHeader(text);
      continue;
    }
    if (text === '') continue;
    const parsed = parseRow(text, lineNo);
    const ref = 'row' in parsed ? parsed.row.ref : parsed.ref;
    if (current && current.ref !== ref) yield* finish();
    current ??= { ref, firstLine: lineNo, lastLine: lineNo, rows: [], problems: [] };
    current.lastLine = lineNo;
    if ('row' in parsed) current.rows.push(parsed.row);
    else current.problems.push({ line: lineNo, text: parsed.problems.join(', ') });
  }
  if (lineNo === 0) checkHeader(undefined);
  yield* finish();
}

/** A value in COPY's text format. */
const copyText = (value: string) => value.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!);

function copyRows(orders: ImportOrder[]): string {
  let text = '';
  for (const order of orders) {
    for (const r of order.rows) {
      text += `${r.line}\t${copyText(r.ref)}\t${r.customerId}\t${copyText(r.sku)}\t${copyText(r.name)}\t${r.quantity}\t${r.unitPriceMinor}\t${r.currency}\t${r.createdAt}\n`;
    }
  }
  return text;
}

const stagingTable = `
  CREATE TEMP TABLE import_rows (
    line integer NOT NULL, ref text NOT NULL, customer_id bigint NOT NULL, sku text NOT NULL, name text NOT NULL,
    quantity integer NOT NULL, unit_price_minor bigint NOT NULL, currency char(3) NOT NULL, created_at timestamptz NOT NULL
  ) ON COMMIT DROP`;

// ids come from the orders sequence in file order (the ref -> id map is the
// materialized CTE); items and history join it. The foreign keys of the items
// and history are checked at the end of the statement, after the orders exist.
const insertChunk = `
  WITH ids AS MATERIALIZED (
    SELECT ref, nextval(pg_get_serial_sequence('orders', 'id')) AS id, customer_id, currency, created_at, total_minor
    FROM (
      SELECT ref, min(line) AS first_line, min(customer_id) AS customer_id, min(currency) AS currency,
             min(created_at) AS created_at, sum(quantity * unit_price_minor)::bigint AS total_minor
      FROM import_rows GROUP BY ref ORDER BY first_line
    ) o
  ), new_orders AS (
    INSERT INTO orders (id, customer_id, status, total_minor, currency, created_at, updated_at)
    SELECT id, customer_id, 'PENDING', total_minor, currency, created_at, now() FROM ids
    RETURNING id
  ), new_items AS (
    INSERT INTO order_items (order_id, sku, name, quantity, unit_price_minor, line_total_minor)
    SELECT ids.id, r.sku, r.name, r.quantity, r.unit_price_minor, r.quantity * r.unit_price_minor
    FROM import_rows r JOIN ids USING (ref) ORDER BY r.line
    RETURNING order_id
  ), new_history AS (
    INSERT INTO order_status_history (order_id, from_status, to_status, reason, changed_at)
    SELECT id, NULL, 'PENDING', 'imported', created_at FROM ids ORDER BY id
    RETURNING order_id
  )
  SELECT (SELECT count(*) FROM new_orders)::int AS orders, (SELECT count(*) FROM new_items)::int AS items,
         (SELECT count(*) FROM new_history)::int AS history`;

/** Of the chunk's customer ids, those no customer has (sorted). */
async function unknownCustomers(client: pg.Client, orders: ImportOrder[]): Promise<string[]> {
  const ids = [...new Set(orders.map((o) => o.rows[0]!.customerId))];
  const { rows } = await client.query<{ id: string }>('SELECT id::text FROM customers WHERE id = ANY($1::bigint[])', [ids]);
  const known = new Set(rows.map((r) => r.id));
  return ids.filter((id) => !known.has(id)).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
}

const isDatabaseError = (error: unknown, codePattern: RegExp): error is Error & { code: string } =>
  error instanceof Error && 'code' in error && typeof error.code === 'string' && codePattern.test(error.code);

/**
 * Writes one chunk under a savepoint. A foreign key or check that fails
 * (an unknown customer, say) rolls the chunk back to the savepoint and comes
 * back as its rejection; the transaction stays usable for the next chunk.
 */
async function writeChunk(client: pg.Client, orders: ImportOrder[]): Promise<{ items: number } | { rejection: Rejection }> {
  await client.query('SAVEPOINT import_chunk');
  try {
    await client.query('TRUNCATE import_rows');
    const copy = client.query(copyFrom('COPY import_rows (line, ref, customer_id, sku, name, quantity, unit_price_minor, currency, created_at) FROM STDIN'));
    copy.end(copyRows(orders));
    await once(copy, 'finish');
    const { rows } = await client.query<{ orders: number; items: number; history: number }>(insertChunk);
    await client.query('RELEASE SAVEPOINT import_chunk');
    return { items: rows[0]!.items };
  } catch (error) {
    // 22xxx data exceptions and 23xxx integrity violations are the chunk's fault; anything else ends the import.
    if (!isDatabaseError(error, /^2[23]/)) throw error;
    await client.query('ROLLBACK TO SAVEPOINT import_chunk; RELEASE SAVEPOINT import_chunk');
    const unknown = isDatabaseError(error, /^23503$/) ? await unknownCustomers(client, orders) : [];
    const reason = unknown.length > 0 ? `unknown customer ${unknown.join(', ')}` : `the database refused the chunk: ${error.message}`;
    return { rejection: { firstLine: orders[0]!.firstLine, lastLine: orders.at(-1)!.lastLine, orders: orders.length, reason } };
  }
}

export interface ImportProgress {
  linesRead: number;
  ordersImported: number;
  itemsImported: number;
  elapsedMs: number;
}

export interface ImportResult extends ImportProgress {
  ordersRejected: number;
  rejections: Rejection[];
}

/**
 * Imports the CSV on `input` through `client` (connected, not in a
 * transaction), in one transaction committed at the end. Throws
 * BadHeaderError, having written nothing, when the header is wrong.
 */
export async function importOrders(
  client: pg.Client,
  input: Readable,
  options: { chunkOrders?: number; onProgress?: (progress: ImportProgress) => void } = {},
): Promise<ImportResult> {
  const chunkOrders = options.chunkOrders ?? 1000;
  const started = performance.now();
  const result: ImportResult = { linesRead: 0, ordersImported: 0, itemsImported: 0, elapsedMs: 0, ordersRejected: 0, rejections: [] };
  const reject = (rejection: Rejection) => {
    result.rejections.push(rejection);
    result.ordersRejected += rejection.orders;
  };
  const events = readOrders(input, (line) => (result.linesRead = line));
  // The header is checked before the transaction starts: a bad file writes nothing.
  const first = await events.next();
  await client.query('BEGIN');
  try {
    await client.query(stagingTable);
    let chunk: ImportOrder[] = [];
    const flush = async () => {
      if (chunk.length === 0) return;
      const outcome = await writeChunk(client, chunk);
      if ('rejection' in outcome) reject(outcome.rejection);
      else {
        result.ordersImported += chunk.length;
        result.itemsImported += outcome.items;
      }
      chunk = [];
      result.elapsedMs = performance.now() - started;
      options.onProgress?.({ ...result });
    };
    for (let event = first; !event.done; event = await events.next()) {
      if ('rejection' in event.value) reject(event.value.rejection);
      else chunk.push(event.value.order);
      if (chunk.length >= chunkOrders) await flush();
    }
    await flush();
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await events.return(undefined);
  }
  result.elapsedMs = performance.now() - started;
  return result;
}

const lineRange = (r: Rejection) => (r.firstLine === r.lastLine ? `line ${r.firstLine}` : `lines ${r.firstLine}-${r.lastLine}`);

/** The report printed at the end of an import. */
export function formatSummary(result: ImportResult): string {
  const seconds = result.elapsedMs / 1000;
  const lines = [
    `orders imported: ${result.ordersImported}`,
    `items imported:  ${result.itemsImported}`,
    `orders rejected: ${result.ordersRejected}`,
    ...result.rejections.map((r) => `  ${lineRange(r)}${r.ref ? `, order ${r.ref}` : ` (${r.orders} orders)`}: ${r.reason}`),
    `${result.linesRead} lines in ${seconds.toFixed(2)} s (${Math.round(result.linesRead / Math.max(seconds, 0.001))} lines/s)`,
  ];
  return lines.join('\n');
}
