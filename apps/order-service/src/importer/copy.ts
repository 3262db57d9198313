/**
 * Writes one shard's part of a chunk of orders, under a SAVEPOINT. The part
 * first locks its buckets' owned_buckets rows FOR SHARE: a bucket the shard
 * does not serve means the import's bucket map is stale, and the part comes
 * back as a rejection saying so; a bucket move waits for the import's commit.
 * Then its rows are COPYed (pg-copy-streams) into a temporary staging table,
 * and one statement makes the orders' ids and INSERT ... SELECTs the orders,
 * items and history. Each order is written PENDING with
 * total = sum(quantity * unit_price_minor) and one history row
 * null -> PENDING "imported" dated at its created_at. A part
 * naming an unknown customer (none on this shard) fails its foreign key, is
 * rolled back to its savepoint and comes back as a rejection; the transaction
 * stays usable for the next chunk.
 */
import { once } from 'node:events';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { ImportOrder, Rejection } from './orders';

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

// ids are made in the customer's bucket (new_row_id, the SQL twin of
// src/shards/ids.ts), in file order (the ref -> id map is the materialized CTE); items and history join it. The foreign keys of the items
// and history are checked at the end of the statement, after the orders exist.
const insertChunk = `
  WITH ids AS MATERIALIZED (
    SELECT ref, new_row_id(customer_bucket(customer_id)) AS id, customer_bucket(customer_id) AS bucket, customer_id, currency, created_at, total_minor
    FROM (
      SELECT ref, min(line) AS first_line, min(customer_id) AS customer_id, min(currency) AS currency,
             min(created_at) AS created_at, sum(quantity * unit_price_minor)::bigint AS total_minor
      FROM import_rows GROUP BY ref ORDER BY first_line
    ) o
  ), new_orders AS (
    INSERT INTO orders (id, bucket, customer_id, status, total_minor, currency, created_at, updated_at)
    SELECT id, bucket, customer_id, 'PENDING', total_minor, currency, created_at, now() FROM ids
    RETURNING id
  ), new_items AS (
    INSERT INTO order_items (order_id, sku, name, quantity, unit_price_minor, line_total_minor)
    SELECT ids.id, r.sku, r.name, r.quantity, r.unit_price_minor, r.quantity * r.unit_price_minor
    FROM import_rows r JOIN ids USING (ref) ORDER BY r.line
    RETURNING order_id
  ), new_history AS (
    INSERT INTO order_status_history (order_id, seq, from_status, to_status, reason, changed_at)
    SELECT id, 1, NULL, 'PENDING', 'imported', created_at FROM ids ORDER BY id
    RETURNING order_id
  )
  SELECT (SELECT count(*) FROM new_orders)::int AS orders, (SELECT count(*) FROM new_items)::int AS items,
         (SELECT count(*) FROM new_history)::int AS history`;

/** The staging table the chunks go through; inside the import's transaction, which drops it. */
export async function createStagingTable(client: pg.Client): Promise<void> {
  await client.query(stagingTable);
}

/** Of the chunk's customer ids, those no customer has (sorted). */
async function unknownCustomers(client: pg.Client, orders: ImportOrder[]): Promise<string[]> {
  const ids = [...new Set(orders.map((o) => o.rows[0]!.customerId))];
  const { rows } = await client.query<{ id: string }>('SELECT id::text FROM customers WHERE id = ANY($1::bigint[])', [ids]);
  const known = new Set(rows.map((r) => r.id));
  return ids.filter((id) => !known.has(id)).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
}

const rollbackChunk = 'ROLLBACK TO SAVEPOINT import_chunk; RELEASE SAVEPOINT import_chunk';

export const isDatabaseError = (error: unknown, codePattern: RegExp): error is Error & { code: string } =>
  error instanceof Error && 'code' in error && typeof error.code === 'string' && codePattern.test(error.code);

/** Of `buckets`, those this shard does not serve; locks the others' owned_buckets rows until the transaction ends. */
async function unservedBuckets(client: pg.Client, buckets: number[]): Promise<number[]> {
  const { rows } = await client.query<{ bucket: number }>('SELECT bucket FROM owned_buckets WHERE bucket = ANY($1::smallint[]) FOR SHARE', [buckets]);
  const served = new Set(rows.map((r) => r.bucket));
  return buckets.filter((bucket) => !served.has(bucket)).sort((a, b) => a - b);
}

/** A shard's part of a chunk: its orders, in file order, and their customers' buckets. */
export interface ChunkPart {
  orders: ImportOrder[];
  buckets: Set<number>;
}

/** The shard a part is written to, and the map that sent it there. */
export interface ShardTarget {
  shard: number;
  name: string;
  mapVersion: number;
}

/** Writes one part under a savepoint: the items written, or the part's rejection. */
export async function writeChunk(
  client: pg.Client,
  { orders, buckets }: ChunkPart,
  target: ShardTarget,
): Promise<{ items: number } | { rejection: Rejection }> {
  const rejection = (reason: string): { rejection: Rejection } => ({
    rejection: { firstLine: orders[0]!.firstLine, lastLine: orders.at(-1)!.lastLine, orders: orders.length, shard: target.shard, reason },
  });
  await client.query('SAVEPOINT import_chunk');
  try {
    const unserved = await unservedBuckets(client, [...buckets]);
    if (unserved.length > 0) {
      await client.query(rollbackChunk);
      return rejection(
        `the import's bucket map (version ${target.mapVersion}) is stale: order shard ${target.shard} (${target.name}) does not serve bucket${unserved.length > 1 ? 's' : ''} ${unserved.join(', ')}; import these orders again`,
      );
    }
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
    await client.query(rollbackChunk);
    const unknown = isDatabaseError(error, /^23503$/) ? await unknownCustomers(client, orders) : [];
    return rejection(unknown.length > 0 ? `unknown customer ${unknown.join(', ')}` : `the database refused the chunk: ${error.message}`);
  }
}
