/**
 * BucketMoveService: the steps of moving a bucket between shards, called by
 * the orchestrator's ReshardWorkflow one at a time (src/shards/moves.ts has
 * the protocol). Each step may be retried: it first resolves what an earlier
 * attempt of the same move left prepared, and finds the bucket where the
 * newest map puts it.
 */
import type { ServiceImpl } from '@connectrpc/connect';
import { Code, ConnectError } from '@connectrpc/connect';
import { BucketMoveService, type BucketMove } from '@oms/contracts/order/v1/bucket-moves';
import type { Logger } from '@oms/platform';
import { moveTxnPrefix, resolveInDoubt } from './shards/in-doubt';
import { abandonMove, assertCanPrepare, catchUpBucket, copyBucket, cutOverBucket, type CrashPoint } from './shards/moves';
import type { ShardRouter } from './shards/router';
import type { MoveShard } from './shards/sessions';

const asMoveShard = ({ id, name, url }: MoveShard): MoveShard => ({ id, name, url });

export interface MoveOptions {
  /** Test-only: kill the process at this point of every cut-over. */
  crashAt?: CrashPoint;
}

export function bucketMoveHandlers(router: ShardRouter, options: MoveOptions = {}): ServiceImpl<typeof BucketMoveService> {
  const shards = () => router.shards.map(asMoveShard);
  const catalog = asMoveShard(router.shards[0]!);
  const coordinator = {
    catalog,
    shards: shards(),
    crashAt: options.crashAt,
    crash: (): never => process.kill(process.pid, 'SIGKILL') as never,
  };

  /** Resolves what an earlier attempt of this move left prepared, then says where the bucket is and where it goes. */
  async function ends(move: BucketMove | undefined) {
    const { moveId, bucket, targetShard } = move!;
    const target = router.shards[targetShard];
    if (!target) throw new ConnectError(`there is no order shard ${targetShard}: ${router.shards.length} are configured`, Code.InvalidArgument);
    await resolveInDoubt(catalog, shards(), { olderThanMs: 0, prefix: moveTxnPrefix(moveId, bucket) });
    await router.reload();
    const source = router.shardOf(bucket);
    return { moveId, bucket, source: asMoveShard(source), target: asMoveShard(target), done: source.id === target.id };
  }

  const refuseDone = (bucket: number, target: MoveShard) =>
    new ConnectError(`bucket ${bucket} is on order shard ${target.id} already`, Code.FailedPrecondition);

  return {
    async prepareMove({ move }) {
      const { source, target, done } = await ends(move);
      if (!done) await Promise.all([assertCanPrepare(source), assertCanPrepare(target)]);
      return { sourceShard: source.id, done };
    },
    async copyBucket({ move }) {
      const { bucket, source, target, done } = await ends(move);
      if (done) throw refuseDone(bucket, target);
      const copied = await copyBucket(source, target, bucket);
      return { tables: copied.tables.map(({ table, rows }) => ({ table, rows: BigInt(rows) })), rows: BigInt(copied.rows), bytes: BigInt(copied.bytes) };
    },
    async catchUpBucket({ move }) {
      const { bucket, source, target, done } = await ends(move);
      if (done) throw refuseDone(bucket, target);
      return { rowsChanged: BigInt(await catchUpBucket(source, target, bucket)) };
    },
    async cutOverBucket({ move }) {
      const { moveId, bucket, source, target, done } = await ends(move);
      // An earlier attempt committed: the bucket is there, nothing was fenced now.
      if (done) return { fenceMs: 0, rowsChanged: 0n, verified: [], mapVersion: router.mapVersion };
      const cut = await cutOverBucket(coordinator, source, target, { moveId, bucket });
      await router.reload();
      return { ...cut, rowsChanged: BigInt(cut.rowsChanged), verified: cut.verified.map(({ table, rows }) => ({ table, rows: BigInt(rows) })) };
    },
    async abandonMove({ move }) {
      const { bucket, target } = await ends(move);
      return { rowsDeleted: BigInt(await abandonMove(target, bucket)) };
    },
    async resolveInDoubt() {
      return resolveInDoubt(catalog, shards(), { olderThanMs: 0 });
    },
  };
}

/**
 * The recovery routine: resolves the moves' in-doubt prepared transactions
 * at start and every `everyMs`, those older than `afterMs` (a coordinator
 * that is alive decides in milliseconds). Returns a stop function.
 */
export function recoverInDoubt(router: ShardRouter, logger: Logger, timing: { afterMs: number; everyMs: number }): () => void {
  const pass = async () => {
    try {
      const { committed, rolledBack } = await resolveInDoubt(asMoveShard(router.shards[0]!), router.shards.map(asMoveShard), { olderThanMs: timing.afterMs });
      if (committed + rolledBack > 0)
        logger.warn({ committed, rolledBack }, `resolved in-doubt bucket moves: ${committed} committed, ${rolledBack} rolled back`);
    } catch (error) {
      logger.warn({ err: error }, 'could not resolve in-doubt bucket moves on every shard; trying again later');
    }
  };
  void pass();
  const timer = setInterval(() => void pass(), timing.everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
