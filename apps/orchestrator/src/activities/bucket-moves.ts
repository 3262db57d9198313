/**
 * ReshardWorkflow's activities: one RPC of order-service's BucketMoveService
 * each, for one bucket. order-service makes each safe to retry (it redoes the
 * step or finds it done), so these add no keys of their own. Answers are
 * plain numbers (history is JSON, which has no int64).
 */
import type { Client } from '@connectrpc/connect';
import type { BucketMoveService } from '@oms/contracts/order/v1/bucket-moves';
import { bucketMoveRefused } from '@oms/contracts/workflows';
import { Context } from '@temporalio/activity';
import { signal } from './calls';
import { refusalsAs } from './errors';

export interface BucketMoveDeps {
  bucketMoves: Client<typeof BucketMoveService>;
  /** How often a long call heartbeats while it runs (default: three times per heartbeat timeout). */
  heartbeatEveryMs?: number;
}

/** One bucket of a move: what every RPC takes. */
export interface BucketMoveRef {
  moveId: string;
  bucket: number;
  targetShard: number;
}

export function bucketMoveActivities({ bucketMoves, heartbeatEveryMs }: BucketMoveDeps) {
  /**
   * The RPC, its refusals non-retryable. When the activity's cancellation
   * aborted it, the activity ends cancelled (not failed), so the workflow
   * sees a cancellation.
   */
  async function rpc<T>(call: Promise<T>): Promise<T> {
    try {
      return await refusalsAs(bucketMoveRefused, call);
    } catch (error) {
      const { cancellationSignal } = Context.current();
      throw cancellationSignal.aborted ? cancellationSignal.reason : error;
    }
  }

  /** Heartbeats while the RPC runs, so a worker that died mid-call is noticed (heartbeat timeout) and a cancellation reaches the call. */
  async function heartbeating<T>(call: Promise<T>): Promise<T> {
    const context = Context.current();
    const beat = setInterval(() => context.heartbeat(), heartbeatEveryMs ?? (context.info.heartbeatTimeoutMs ?? 30_000) / 3);
    try {
      return await rpc(call);
    } finally {
      clearInterval(beat);
    }
  }

  return {
    /** Where the bucket is; `done` when it is on the target already. */
    async prepareMove(move: BucketMoveRef): Promise<{ sourceShard: number; done: boolean }> {
      const { sourceShard, done } = await rpc(bucketMoves.prepareMove({ move }, signal()));
      return { sourceShard, done };
    },

    async copyBucket(move: BucketMoveRef): Promise<{ rows: number; bytes: number }> {
      const { rows, bytes } = await heartbeating(bucketMoves.copyBucket({ move }, signal()));
      return { rows: Number(rows), bytes: Number(bytes) };
    },

    async catchUpBucket(move: BucketMoveRef): Promise<{ rowsChanged: number }> {
      const { rowsChanged } = await heartbeating(bucketMoves.catchUpBucket({ move }, signal()));
      return { rowsChanged: Number(rowsChanged) };
    },

    async cutOverBucket(move: BucketMoveRef): Promise<{ fenceMs: number; rowsChanged: number; mapVersion: number }> {
      const { fenceMs, rowsChanged, mapVersion } = await heartbeating(bucketMoves.cutOverBucket({ move }, signal()));
      return { fenceMs, rowsChanged: Number(rowsChanged), mapVersion };
    },

    async abandonMove(move: BucketMoveRef): Promise<{ rowsDeleted: number }> {
      const { rowsDeleted } = await rpc(bucketMoves.abandonMove({ move }, signal()));
      return { rowsDeleted: Number(rowsDeleted) };
    },
  };
}

export type BucketMoveActivities = ReturnType<typeof bucketMoveActivities>;
