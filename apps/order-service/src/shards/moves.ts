/**
 * Moving a bucket from one shard to another while its customers keep
 * ordering (docs/sharding.md, "Moving a bucket"): copy its rows as of one
 * snapshot (COPY), catch up on what changed since, then cut over: fence the
 * bucket's writes, copy the last changes, verify, and commit "the target
 * owns it, the source forgets it" on both servers with PREPARE TRANSACTION
 * and a decision record in the catalog (src/shards/in-doubt.ts resolves
 * what a crash leaves prepared). Each step works on sessions of its own.
 */
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Code, ConnectError } from '@connectrpc/connect';
import type pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { decide, moveTxnPrefix, resolveInDoubt } from './in-doubt';
import { withSessions, type MoveShard } from './sessions';

/** The bucket's tables, parents first: a table's rows are those of the bucket (`rows`), its key says which row is which. */
const tables = [
  { name: 'customers', key: ['id'], rows: (bucket: number) => `bucket = ${bucket}` },
  { name: 'orders', key: ['id'], rows: (bucket: number) => `bucket = ${bucket}` },
  { name: 'order_items', key: ['order_id', 'sku'], rows: (bucket: number) => `order_id IN (SELECT id FROM orders WHERE bucket = ${bucket})` },
  { name: 'order_status_history', key: ['order_id', 'seq'], rows: (bucket: number) => `order_id IN (SELECT id FROM orders WHERE bucket = ${bucket})` },
  { name: 'idempotency_keys', key: ['scope', 'key'], rows: (bucket: number) => `bucket = ${bucket}` },
] as const;
type Table = (typeof tables)[number];

/** A row's key as one text value (a JSON array), to compare rows across servers. */
const keyText = (table: Table) => `json_build_array(${table.key.join(', ')})::text`;

export interface TableRows {
  table: string;
  rows: number;
}

async function owns(db: pg.Client, bucket: number, lock = ''): Promise<boolean> {
  return (await db.query(`SELECT 1 FROM owned_buckets WHERE bucket = $1 ${lock}`, [bucket])).rowCount! > 0;
}

/**
 * Takes the target's copy of the bucket for this transaction, so that the
 * steps of a move touch it one at a time (an attempt its caller gave up on
 * may still be running), and refuses to write the bucket's rows on a shard
 * that serves it: they are the real ones, not a copy.
 */
async function assertCopyOnly(target: pg.Client, shard: MoveShard, bucket: number): Promise<void> {
  await takeCopy(target, bucket);
  if (await owns(target, bucket, 'FOR UPDATE')) {
    throw new ConnectError(`order shard ${shard.id} (${shard.name}) already serves bucket ${bucket}`, Code.FailedPrecondition);
  }
}

const takeCopy = (target: pg.Client, bucket: number) => target.query(`SELECT pg_advisory_xact_lock(hashtext('oms.bucket_copy'), $1)`, [bucket]);

async function deleteRows(db: pg.Client, bucket: number): Promise<number> {
  let deleted = 0;
  // Children first: items and history hang off orders, orders off customers.
  for (const table of [...tables].reverse()) deleted += (await db.query(`DELETE FROM ${table.name} WHERE ${table.rows(bucket)}`)).rowCount!;
  return deleted;
}

const columnsOf = async (db: pg.Client, table: string): Promise<string[]> =>
  (
    await db.query<{ name: string }>(
      `SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`,
      [table],
    )
  ).rows.map((r) => r.name);

/**
 * The bucket's rows, as of one snapshot of the source, COPYed to the target
 * in one transaction that first deletes whatever an earlier attempt left.
 */
export async function copyBucket(source: MoveShard, target: MoveShard, bucket: number): Promise<{ tables: TableRows[]; rows: number; bytes: number }> {
  return withSessions([source, target], async ([from, to]) => {
    await from!.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await to!.query('BEGIN');
    await assertCopyOnly(to!, target, bucket);
    await deleteRows(to!, bucket);
    const copied: TableRows[] = [];
    let bytes = 0;
    const counted = () =>
      new Transform({
        transform(chunk: Buffer, _encoding, done) {
          bytes += chunk.length;
          done(null, chunk);
        },
      });
    for (const table of tables) {
      const columns = (await columnsOf(from!, table.name)).join(', ');
      const into = to!.query(copyFrom(`COPY ${table.name} (${columns}) FROM STDIN`));
      await pipeline(from!.query(copyTo(`COPY (SELECT ${columns} FROM ${table.name} WHERE ${table.rows(bucket)}) TO STDOUT`)), counted(), into);
      copied.push({ table: table.name, rows: into.rowCount });
    }
    await to!.query('COMMIT');
    await from!.query('COMMIT');
    return { tables: copied, rows: copied.reduce((sum, t) => sum + t.rows, 0), bytes };
  });
}

/** Key text → md5 of the row's text, for each of the bucket's rows in `table`. */
async function rowHashes(db: pg.Client, table: Table, bucket: number): Promise<Map<string, string>> {
  const { rows } = await db.query<{ k: string; h: string }>(
    `SELECT ${keyText(table)} AS k, md5(t::text) AS h FROM ${table.name} t WHERE ${table.rows(bucket)}`,
  );
  return new Map(rows.map((r) => [r.k, r.h]));
}

/**
 * Makes the target's copy of the bucket equal to the source's, in the
 * sessions' transactions: upserts the rows that differ or are missing
 * (parents first), deletes the rows the source no longer has (children
 * first), in the tables `only`. Returns how many rows it wrote or deleted.
 */
async function applyChanges(source: pg.Client, target: pg.Client, bucket: number, only: readonly Table[]): Promise<number> {
  const deltas = [];
  for (const table of only) {
    const [theirs, ours] = await Promise.all([rowHashes(source, table, bucket), rowHashes(target, table, bucket)]);
    const changed = [...theirs].filter(([key, hash]) => ours.get(key) !== hash).map(([key]) => key);
    const gone = [...ours.keys()].filter((key) => !theirs.has(key));
    deltas.push({ table, changed, gone });
  }
  let rows = 0;
  for (const { table, changed } of deltas) {
    if (changed.length === 0) continue;
    const json = await source
      .query<{ json: string }>(`SELECT json_agg(t)::text AS json FROM ${table.name} t WHERE ${table.rows(bucket)} AND ${keyText(table)} = ANY($1)`, [changed])
      .then((r) => r.rows[0]!.json);
    const columns = (await columnsOf(target, table.name)).filter((c) => !(table.key as readonly string[]).includes(c));
    // Text, not the parsed JSON: the driver would turn 64-bit ids into doubles.
    await target.query(
      `INSERT INTO ${table.name} SELECT * FROM json_populate_recordset(NULL::${table.name}, $1::json)
       ON CONFLICT (${table.key.join(', ')}) DO UPDATE SET (${columns.join(', ')}) = ROW(${columns.map((c) => `excluded.${c}`).join(', ')})`,
      [json],
    );
    rows += changed.length;
  }
  for (const { table, gone } of [...deltas].reverse()) {
    if (gone.length > 0) rows += (await target.query(`DELETE FROM ${table.name} t WHERE ${keyText(table)} = ANY($1)`, [gone])).rowCount!;
  }
  return rows;
}

/** Catches the target's copy up with the rows written since the copy, while writes go on. */
export async function catchUpBucket(source: MoveShard, target: MoveShard, bucket: number): Promise<number> {
  return withSessions([source, target], async ([from, to]) => {
    await from!.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await to!.query('BEGIN');
    await assertCopyOnly(to!, target, bucket);
    const rows = await applyChanges(from!, to!, bucket, await tablesThatDiffer(from!, to!, bucket));
    await to!.query('COMMIT');
    await from!.query('COMMIT');
    return rows;
  });
}

interface Checksum {
  table: Table;
  rows: number;
  sum: string;
}

/**
 * Per table: the bucket's row count and checksum, in one round trip. The
 * checksum adds up a 64-bit hash of each row: order-free, so no sort, and
 * cheap enough to run inside the fence.
 */
async function checksums(db: pg.Client, bucket: number): Promise<Checksum[]> {
  // Each row names its table: UNION ALL keeps no order (a parallel plan mixes the branches).
  const { rows } = await db.query<{ i: number; rows: number; sum: string | null }>(
    tables
      .map(
        (table, i) =>
          `(SELECT ${i} AS i, count(*)::int AS rows, sum(hashtextextended(t::text, 0))::text AS sum FROM ${table.name} t WHERE ${table.rows(bucket)})`,
      )
      .join(' UNION ALL '),
  );
  return rows.sort((a, b) => a.i - b.i).map((row) => ({ table: tables[row.i]!, rows: row.rows, sum: row.sum ?? '0' }));
}

/** Both sides' checksums, and the tables whose checksums differ. */
async function compare(source: pg.Client, target: pg.Client, bucket: number): Promise<{ sums: Checksum[]; differ: Table[] }> {
  const [theirs, ours] = await Promise.all([checksums(source, bucket), checksums(target, bucket)]);
  const differ = theirs.filter((sum, i) => sum.rows !== ours[i]!.rows || sum.sum !== ours[i]!.sum).map((sum) => sum.table);
  return { sums: ours, differ };
}

const tablesThatDiffer = async (source: pg.Client, target: pg.Client, bucket: number) => (await compare(source, target, bucket)).differ;

/** Test-only: a point in the cut-over where a test kills the process (a coordinator that dies there). */
export type CrashPoint = 'after-prepare' | 'after-decision';

export interface CutOver {
  fenceMs: number;
  rowsChanged: number;
  verified: TableRows[];
  mapVersion: number;
}

export interface MoveCoordinator {
  catalog: MoveShard;
  shards: MoveShard[];
  crashAt?: CrashPoint;
  /** Kills the process (test-only: `crashAt`). */
  crash?: () => never;
}

/** The map version after the move, written with the decision: the bucket on the target, the rest as it was. */
async function writeMapVersion(catalog: pg.Client, version: number, bucket: number, source: MoveShard, target: MoveShard, moveId: string) {
  await catalog.query(`INSERT INTO shard_map_versions (version, reason) VALUES ($1, $2)`, [
    version + 1,
    `move ${moveId}: bucket ${bucket} from shard ${source.id} to shard ${target.id}`,
  ]);
  await catalog.query(
    `INSERT INTO bucket_map (version, bucket, shard) SELECT $1, bucket, CASE WHEN bucket = $2 THEN $3 ELSE shard END FROM bucket_map WHERE version = $4`,
    [version + 1, bucket, target.id, version],
  );
}

/**
 * The cut-over. The fence is the source's owned_buckets row taken FOR
 * UPDATE: it waits for the bucket's writes in flight, and new ones wait for
 * it (OrderStore.transactIn). Inside it: the last changes, a verification
 * (counts and checksums per table, equal on both sides), the source's rows
 * and ownership deleted, the target's ownership inserted; both PREPAREd;
 * the decision and the new map version committed together in the catalog;
 * then COMMIT PREPARED on the target and on the source, which ends the fence.
 */
export async function cutOverBucket(
  coordinator: MoveCoordinator,
  source: MoveShard,
  target: MoveShard,
  move: { moveId: string; bucket: number },
): Promise<CutOver> {
  const { moveId, bucket } = move;
  const txn = `${moveTxnPrefix(moveId, bucket)}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const gids = { source: `${txn}:source`, target: `${txn}:target` };
  return withSessions([source, target, coordinator.catalog], async ([from, to, catalog]) => {
    let prepared = false;
    try {
      await from!.query('BEGIN');
      if (!(await owns(from!, bucket, 'FOR UPDATE'))) {
        throw new ConnectError(`order shard ${source.id} (${source.name}) does not serve bucket ${bucket}: nothing to cut over`, Code.FailedPrecondition);
      }
      const fenced = performance.now();
      await to!.query('BEGIN');
      await assertCopyOnly(to!, target, bucket);
      // Only the tables whose checksums differ are compared row by row: most are equal after the catch-up.
      const before = await compare(from!, to!, bucket);
      const rowsChanged = await applyChanges(from!, to!, bucket, before.differ);
      const verified = before.differ.length === 0 ? before : await compare(from!, to!, bucket);
      if (verified.differ.length > 0) {
        throw new ConnectError(
          `bucket ${bucket}: table ${verified.differ[0]!.name} differs between shard ${source.id} and shard ${target.id} after the copy`,
          Code.Internal,
        );
      }
      await deleteRows(from!, bucket);
      await from!.query('DELETE FROM owned_buckets WHERE bucket = $1', [bucket]);
      await catalog!.query('BEGIN');
      await catalog!.query(`SELECT pg_advisory_xact_lock(hashtext('oms.bucket_map'))`);
      const version = (await catalog!.query<{ version: number }>('SELECT max(version) AS version FROM shard_map_versions')).rows[0]!.version;
      await to!.query('INSERT INTO owned_buckets (bucket, map_version) VALUES ($1, $2)', [bucket, version + 1]);
      prepared = true;
      await from!.query(`PREPARE TRANSACTION '${gids.source}'`);
      await to!.query(`PREPARE TRANSACTION '${gids.target}'`);
      if (coordinator.crashAt === 'after-prepare') coordinator.crash!();
      // The decision: recovery may have written 'abort' first (it presumed this coordinator dead).
      const decision = await decide(catalog!, txn, 'commit');
      if (decision !== 'commit') throw new ConnectError(`bucket ${bucket}: the cut-over was rolled back by recovery, try again`, Code.Aborted);
      await writeMapVersion(catalog!, version, bucket, source, target, moveId);
      await catalog!.query('COMMIT');
      if (coordinator.crashAt === 'after-decision') coordinator.crash!();
      await to!.query(`COMMIT PREPARED '${gids.target}'`);
      await from!.query(`COMMIT PREPARED '${gids.source}'`);
      const fenceMs = performance.now() - fenced;
      return { fenceMs, rowsChanged, verified: verified.sums.map(({ table, rows }) => ({ table: table.name, rows })), mapVersion: version + 1 };
    } catch (error) {
      await Promise.all([catalog, from, to].map((s) => s!.query('ROLLBACK').catch(() => {})));
      if (prepared) await abandonPrepared(coordinator, [source, target], txn);
      throw error;
    }
  });
}

/** A cut-over that failed after PREPARE: 'abort' recorded (unless 'commit' was), then its prepared transactions resolved by it. */
async function abandonPrepared(coordinator: MoveCoordinator, shards: MoveShard[], txn: string): Promise<void> {
  await resolveInDoubt(coordinator.catalog, shards, { olderThanMs: 0, prefix: txn }).catch(() => {
    // The recovery routine resolves them later (at start and periodically).
  });
}

/** Deletes the target's copy of a bucket whose move is abandoned; nothing when the target already serves it (the move was done). */
export async function abandonMove(target: MoveShard, bucket: number): Promise<number> {
  return withSessions([target], async ([to]) => {
    await to!.query('BEGIN');
    await takeCopy(to!, bucket);
    if (await owns(to!, bucket, 'FOR UPDATE')) {
      await to!.query('ROLLBACK');
      return 0;
    }
    const deleted = await deleteRows(to!, bucket);
    await to!.query('COMMIT');
    return deleted;
  });
}

/** Refuses a shard that cannot PREPARE TRANSACTION, saying what to change. */
export async function assertCanPrepare(shard: MoveShard): Promise<void> {
  const setting = await withSessions(
    [shard],
    async ([db]) => (await db!.query<{ max_prepared_transactions: string }>('SHOW max_prepared_transactions')).rows[0]!,
  );
  if (Number(setting.max_prepared_transactions) === 0) {
    throw new ConnectError(
      `order shard ${shard.id} (${shard.name}) has max_prepared_transactions = 0: a bucket move commits on two servers with PREPARE TRANSACTION; set max_prepared_transactions (e.g. 64) in that server's postgresql.conf and restart it`,
      Code.FailedPrecondition,
    );
  }
}
