/**
 * Bulk import of orders with their items from CSV (the command: cli.ts).
 * The file's format: csv.ts and rows.ts; how a chunk is written: copy.ts.
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
import type { Readable } from 'node:stream';
import type pg from 'pg';
import { createStagingTable, writeChunk } from './copy';
import { readOrders, type ImportOrder, type Rejection } from './orders';

export { BadHeaderError, csvHeader } from './csv';
export { readOrders, type ImportOrder, type Rejection } from './orders';

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
    await createStagingTable(client);
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
