/**
 * Rows grouped into orders: consecutive rows with the same order_ref make one
 * order, and an order_ref may not come back later in the file.
 */
import type { Readable } from 'node:stream';
import { readRecords } from './csv';
import { orderProblem, parseRow, type ImportRow } from './rows';

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
  /** The order shard that refused the orders (absent when they were refused as read). */
  shard?: number;
  reason: string;
}

type ReadEvent = { order: ImportOrder } | { rejection: Rejection };

/**
 * Reads the CSV as a stream: refuses a bad header (BadHeaderError) before
 * yielding anything, then yields each order, or its rejection when any of
 * its rows is wrong (every wrong row listed with its line number).
 */
export async function* readOrders(input: Readable, onLine?: (line: number) => void): AsyncGenerator<ReadEvent> {
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

  for await (const record of readRecords(input, onLine)) {
    const parsed = parseRow(record);
    const ref = 'row' in parsed ? parsed.row.ref : parsed.ref;
    if (current && current.ref !== ref) yield* finish();
    current ??= { ref, firstLine: record.firstLine, lastLine: record.lastLine, rows: [], problems: [] };
    current.lastLine = record.lastLine;
    if ('row' in parsed) current.rows.push(parsed.row);
    else current.problems.push({ line: record.firstLine, text: parsed.problems.join(', ') });
  }
  yield* finish();
}
