/**
 * The two-phase commit's recovery (docs/sharding.md): a cut-over that dies
 * between PREPARE TRANSACTION and COMMIT PREPARED leaves prepared
 * transactions on its shards, holding the bucket's locks. Each is resolved
 * by its attempt's decision record in the catalog: committed when the
 * coordinator decided 'commit', rolled back otherwise, after writing
 * 'abort' so that a coordinator still alive cannot decide 'commit' later.
 */
import type pg from 'pg';
import { session, type MoveShard } from './sessions';

/** The prefix of a cut-over attempt's decision record (`txn`); its prepared transactions are `<txn>:source` and `<txn>:target`. */
export const moveTxnPrefix = (moveId: string, bucket: number) => `oms_move:${moveId}:${bucket}:`;

// What a gid looks like: checked before it is spliced into COMMIT/ROLLBACK PREPARED, which take no parameters.
const gidPattern = /^(oms_move:[A-Za-z0-9_-]{1,64}:\d{1,4}:[a-z0-9]+):(source|target)$/;

/**
 * Records `wanted` as the attempt's decision unless one is recorded (or is
 * being recorded: the insert waits for it), and returns the decision that
 * holds. Two statements, so that the read sees a decision committed while
 * the insert waited.
 */
export async function decide(catalog: pg.Client, txn: string, wanted: 'commit' | 'abort'): Promise<'commit' | 'abort'> {
  await catalog.query('INSERT INTO bucket_move_decisions (txn, decision) VALUES ($1, $2) ON CONFLICT (txn) DO NOTHING', [txn, wanted]);
  const { rows } = await catalog.query<{ decision: 'commit' | 'abort' }>('SELECT decision FROM bucket_move_decisions WHERE txn = $1', [txn]);
  return rows[0]!.decision;
}

export interface Resolved {
  committed: number;
  rolledBack: number;
}

/**
 * Resolves the prepared transactions of bucket moves on every shard, those
 * prepared at least `olderThanMs` ago (a live coordinator takes
 * milliseconds) and, with `prefix`, only one move's or attempt's. A shard
 * that does not answer is left for the next pass; the first such error is
 * thrown after the others are resolved.
 */
export async function resolveInDoubt(catalog: MoveShard, shards: MoveShard[], options: { olderThanMs: number; prefix?: string }): Promise<Resolved> {
  const resolved: Resolved = { committed: 0, rolledBack: 0 };
  const decisions = await session(catalog);
  let failure: unknown;
  try {
    for (const shard of shards) {
      let db: pg.Client | undefined;
      try {
        db = await session(shard);
        const { rows } = await db.query<{ gid: string }>(
          `SELECT gid FROM pg_prepared_xacts WHERE database = current_database() AND starts_with(gid, $1) AND prepared <= now() - make_interval(secs => $2 / 1000.0)`,
          [options.prefix ?? 'oms_move:', options.olderThanMs],
        );
        for (const { gid } of rows) {
          const txn = gidPattern.exec(gid)?.[1];
          if (!txn) continue; // not one of ours after all
          const decision = await decide(decisions, txn, 'abort');
          try {
            await db.query(`${decision === 'commit' ? 'COMMIT' : 'ROLLBACK'} PREPARED '${gid}'`);
            resolved[decision === 'commit' ? 'committed' : 'rolledBack']++;
          } catch (error) {
            // Resolved meanwhile by another pass or the coordinator itself.
            if ((error as { code?: string }).code !== '42704') throw error;
          }
        }
      } catch (error) {
        failure ??= error;
      } finally {
        await db?.end().catch(() => {});
      }
    }
  } finally {
    await decisions.end().catch(() => {});
  }
  if (failure) throw failure;
  return resolved;
}
