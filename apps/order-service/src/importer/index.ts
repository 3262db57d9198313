/**
 * Bulk import of orders with their items from CSV (the command: cli.ts).
 * The file's format: csv.ts and rows.ts; how a chunk is written: copy.ts.
 *
 * Orders live on the shard of their customer (src/shards/): each chunk is
 * split by shard with the bucket map read at the start, and each shard's
 * part goes through that shard's own connection, transaction and staging
 * table, under a savepoint of its own.
 *
 * Why one transaction per shard for the whole file rather than a commit per
 * chunk: orders keep no trace of their order_ref (the schema has no column for
 * it), so a half-committed import could not be resumed without duplicating
 * orders. A crash or Ctrl-C before the commits leaves nothing, and the remedy
 * is "run the file again". But the shards commit at the end one after the
 * other, which is not atomic: a crash between two shards' COMMITs leaves the
 * earlier shards' orders imported and the later ones' not (the cure is a
 * prepared transaction per shard, two-phase commit, in the next issue). A
 * COMMIT that fails rolls back the shards after it, and the result says which
 * shards committed. The cost of the long transactions: each holds its
 * snapshot for the whole run, and past 64 chunks its subtransactions overflow
 * Postgres's per-backend cache, which slows other sessions' snapshots until
 * it commits; use larger chunks for very large files.
 */
import type { Readable } from 'node:stream';
import type pg from 'pg';
import type { BucketMap } from '../shards/catalog';
import { customerBucket } from '../shards/ids';
import { createStagingTable, isDatabaseError, writeChunk, type ChunkPart } from './copy';
import { readOrders, type ImportOrder, type Rejection } from './orders';

export { BadHeaderError, csvHeader } from './csv';
export { readOrders, type ImportOrder, type Rejection } from './orders';

/** An order shard the import writes to: its number (its place in the shard list), its name for messages, and a connected client not in a transaction. */
export interface ImportShard {
  id: number;
  name: string;
  client: pg.Client;
}

export interface ImportProgress {
  linesRead: number;
  ordersImported: number;
  itemsImported: number;
  elapsedMs: number;
}

/** What one shard's transaction holds, and whether it committed. */
export interface ShardImport {
  id: number;
  name: string;
  orders: number;
  items: number;
  committed: boolean;
}

export interface ImportResult extends ImportProgress {
  ordersRejected: number;
  rejections: Rejection[];
  mapVersion: number;
  shards: ShardImport[];
  /**
   * The COMMIT that failed: the shards before it committed, it and those after
   * it did not (unless `outcomeUnknown`: the connection broke during the
   * COMMIT, so the server may have committed it).
   */
  commitFailure?: { shard: number; message: string; outcomeUnknown: boolean };
}

/** The chunk's orders by the shard of their customer's bucket, in shard order, each part in file order. */
function splitByShard(chunk: ImportOrder[], map: BucketMap): [number, ChunkPart][] {
  const parts = new Map<number, ChunkPart>();
  for (const order of chunk) {
    const bucket = customerBucket(BigInt(order.rows[0]!.customerId));
    const shard = map.shardOf[bucket]!;
    let part = parts.get(shard);
    if (!part) parts.set(shard, (part = { orders: [], buckets: new Set() }));
    part.orders.push(order);
    part.buckets.add(bucket);
  }
  return [...parts].sort(([a], [b]) => a - b);
}

/**
 * Commits the shards one after the other; after a COMMIT that fails, rolls
 * back the rest. The imported counts become those of the shards that committed.
 */
async function commitInTurn(shards: ImportShard[], result: ImportResult): Promise<void> {
  for (const [i, { id, client }] of shards.entries()) {
    if (result.commitFailure) {
      await client.query('ROLLBACK').catch(() => undefined);
      continue;
    }
    try {
      await client.query('COMMIT');
      result.shards[i]!.committed = true;
    } catch (error) {
      // An SQLSTATE means the server refused the COMMIT; anything else (a broken connection) leaves it unknown.
      result.commitFailure = { shard: id, message: (error as Error).message, outcomeUnknown: !isDatabaseError(error, /^[0-9A-Z]{5}$/) };
    }
  }
  const committed = result.shards.filter((shard) => shard.committed);
  result.ordersImported = committed.reduce((sum, shard) => sum + shard.orders, 0);
  result.itemsImported = committed.reduce((sum, shard) => sum + shard.items, 0);
}

/**
 * Imports the CSV on `input` into `shards` (shard 0 first, as the map numbers
 * them), routing each order by `map`, in one transaction per shard committed
 * at the end. Throws BadHeaderError, having written nothing, when the header
 * is wrong.
 */
export async function importOrders(
  shards: ImportShard[],
  map: BucketMap,
  input: Readable,
  options: { chunkOrders?: number; onProgress?: (progress: ImportProgress) => void } = {},
): Promise<ImportResult> {
  const chunkOrders = options.chunkOrders ?? 1000;
  const started = performance.now();
  const result: ImportResult = {
    linesRead: 0,
    ordersImported: 0,
    itemsImported: 0,
    elapsedMs: 0,
    ordersRejected: 0,
    rejections: [],
    mapVersion: map.version,
    shards: shards.map(({ id, name }) => ({ id, name, orders: 0, items: 0, committed: false })),
  };
  const reject = (rejection: Rejection) => {
    result.rejections.push(rejection);
    result.ordersRejected += rejection.orders;
  };
  const events = readOrders(input, (line) => (result.linesRead = line));
  // The header is checked before the transactions start: a bad file writes nothing.
  const first = await events.next();
  try {
    for (const { client } of shards) {
      await client.query('BEGIN');
      await createStagingTable(client);
    }
    let chunk: ImportOrder[] = [];
    const flush = async () => {
      if (chunk.length === 0) return;
      // Every shard's part settles before a failure is thrown: a ROLLBACK must not slip between a part's statements.
      const settled = await Promise.allSettled(
        splitByShard(chunk, map).map(async ([shard, part]) => {
          const { id, name, client } = shards[shard]!;
          return { shard, part, outcome: await writeChunk(client, part, { shard: id, name, mapVersion: map.version }) };
        }),
      );
      const written = settled.map((s) => {
        if (s.status === 'rejected') throw s.reason;
        return s.value;
      });
      for (const { shard, part, outcome } of written) {
        if ('rejection' in outcome) reject(outcome.rejection);
        else {
          result.shards[shard]!.orders += part.orders.length;
          result.shards[shard]!.items += outcome.items;
          result.ordersImported += part.orders.length;
          result.itemsImported += outcome.items;
        }
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
  } catch (error) {
    // ROLLBACK outside a transaction only warns: every shard can be asked.
    await Promise.all(shards.map(({ client }) => client.query('ROLLBACK').catch(() => undefined)));
    throw error;
  } finally {
    await events.return(undefined);
  }
  await commitInTurn(shards, result);
  result.elapsedMs = performance.now() - started;
  return result;
}

const lineRange = (r: Rejection) => (r.firstLine === r.lastLine ? `line ${r.firstLine}` : `lines ${r.firstLine}-${r.lastLine}`);

/** A shard's line in the summary; after a failed COMMIT, with what became of its transaction. */
function shardLine(shard: ShardImport, failure: ImportResult['commitFailure']): string {
  const line = `  shard ${shard.id} ${shard.name}: ${shard.orders} orders, ${shard.items} items`;
  if (!failure) return line;
  if (shard.committed) return `${line}, committed`;
  if (shard.id !== failure.shard) return `${line}, not committed (rolled back)`;
  return failure.outcomeUnknown
    ? `${line}, UNKNOWN whether committed (the connection broke during COMMIT: ${failure.message}): look before importing its orders again`
    : `${line}, not committed (COMMIT failed: ${failure.message})`;
}

/** The report printed at the end of an import. */
export function formatSummary(result: ImportResult): string {
  const seconds = result.elapsedMs / 1000;
  const onShard = (r: Rejection) => (result.shards.length > 1 && r.shard !== undefined ? ` on order shard ${r.shard}` : '');
  const failure = result.commitFailure;
  const lines = [
    `orders imported: ${result.ordersImported}`,
    `items imported:  ${result.itemsImported}`,
    `orders rejected: ${result.ordersRejected}`,
    ...result.rejections.map((r) => `  ${lineRange(r)}${r.ref ? `, order ${r.ref}` : ` (${r.orders} orders${onShard(r)})`}: ${r.reason}`),
    `orders per shard (bucket map version ${result.mapVersion}):`,
    ...result.shards.map((shard) => shardLine(shard, failure)),
    ...(failure
      ? [
          `COMMIT FAILED on order shard ${failure.shard}: the shards before it are imported, the shards after it are not. ` +
            `Running the whole file again would import the committed shards' orders twice: import again only the orders of the shards not committed.`,
        ]
      : []),
    `${result.linesRead} lines in ${seconds.toFixed(2)} s (${Math.round(result.linesRead / Math.max(seconds, 0.001))} lines/s)`,
  ];
  return lines.join('\n');
}
