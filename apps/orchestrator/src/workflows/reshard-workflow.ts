import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  condition,
  continueAsNew,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { pauseReshardSignal, progressQuery, resumeReshardSignal, type ReshardInput, type ReshardProgress, type ReshardStep } from '@oms/contracts/workflows';
import type { BucketMoveActivities, BucketMoveRef } from '../activities/bucket-moves';

/** A catch-up that changed this few rows leaves little for the cut-over to copy inside its fence. */
const settledRows = 100;
const maxCatchUpRounds = 5;

/** Transient faults (a shard or order-service down) are retried until they heal: the move waits for them. Refusals are never retried. */
function moveActivities(heartbeatTimeout: number) {
  const withTimeouts = (startToCloseTimeout: string, heartbeat?: number) =>
    proxyActivities<BucketMoveActivities>({
      startToCloseTimeout,
      heartbeatTimeout: heartbeat,
      retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
      // A cancelled step's attempt ends before anything else runs, so an abandon never races a copy still writing.
      cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    });
  return {
    prepareMove: withTimeouts('1 minute').prepareMove,
    copyBucket: withTimeouts('10 minutes', heartbeatTimeout).copyBucket,
    catchUpBucket: withTimeouts('5 minutes', heartbeatTimeout).catchUpBucket,
    cutOverBucket: withTimeouts('5 minutes', heartbeatTimeout).cutOverBucket,
    abandonMove: withTimeouts('10 minutes').abandonMove,
  };
}

/**
 * ReshardWorkflow, id `reshard-<moveId>`: moves buckets to the target shard
 * one at a time (prepare, copy, catch up, cut over), pausable between steps.
 * Cancelled, it abandons the bucket under way, which stays where it was;
 * buckets moved already stay moved. Continues as new every `bucketsPerRun`
 * buckets (or when Temporal suggests it), carrying its progress.
 */
export async function ReshardWorkflow(input: ReshardInput): Promise<ReshardProgress> {
  const { moveId, targetShard, buckets } = input;
  const { prepareMove, copyBucket, catchUpBucket, cutOverBucket, abandonMove } = moveActivities(input.heartbeatTimeoutMs ?? 30_000);
  const progress: ReshardProgress = { moveId, targetShard, buckets, moved: [], rowsCopied: 0, fencesMs: [], paused: false, ...input.state, state: 'running' };
  setHandler(progressQuery, () => progress);
  setHandler(pauseReshardSignal, () => void (progress.paused = true));
  setHandler(resumeReshardSignal, () => void (progress.paused = false));

  /** Holds while a pause is asked for; says whether it held. */
  async function unpaused(): Promise<boolean> {
    if (!progress.paused) return false;
    progress.state = 'paused';
    await condition(() => !progress.paused);
    progress.state = 'running';
    return true;
  }

  async function step<T>(name: ReshardStep, run: () => Promise<T>): Promise<T> {
    await unpaused();
    progress.current!.step = name;
    return run();
  }

  async function catchUp(move: BucketMoveRef): Promise<void> {
    for (let round = 1; round <= maxCatchUpRounds; round++) {
      const { rowsChanged } = await step('catch up', () => catchUpBucket(move));
      if (rowsChanged <= settledRows) return;
    }
  }

  async function moveBucket(bucket: number): Promise<void> {
    const move = { moveId, bucket, targetShard };
    const current: NonNullable<ReshardProgress['current']> = (progress.current = { bucket, step: 'prepare' });
    const { sourceShard, done } = await step('prepare', () => prepareMove(move));
    if (!done) {
      current.sourceShard = sourceShard;
      const { rows } = await step('copy', () => copyBucket(move));
      progress.rowsCopied += rows;
      await catchUp(move);
      // Changes pile up during a pause: catch up again, so the fence stays short.
      if (await unpaused()) await catchUp(move);
      current.step = 'cut over';
      // Once begun, a cut-over runs to its end even when the move is cancelled: its outcome decides where the bucket is.
      const { fenceMs } = await CancellationScope.nonCancellable(() => cutOverBucket(move));
      progress.fencesMs.push(fenceMs);
      log.info('bucket moved', { moveId, bucket, sourceShard, targetShard, fenceMs });
    }
    progress.moved.push(bucket);
    progress.current = undefined;
  }

  const bucketsPerRun = input.bucketsPerRun ?? 100;
  let movedThisRun = 0;
  try {
    for (const bucket of buckets) {
      if (progress.moved.includes(bucket)) continue;
      if (movedThisRun >= bucketsPerRun || workflowInfo().continueAsNewSuggested) {
        const { moved, rowsCopied, fencesMs, paused } = progress;
        return await continueAsNew<typeof ReshardWorkflow>({ ...input, state: { moved, rowsCopied, fencesMs, paused } });
      }
      await moveBucket(bucket);
      movedThisRun++;
    }
  } catch (error) {
    const under = progress.current;
    // A step's last attempt may end in a fault it met before it heard of the cancellation: the move is cancelled all the same.
    if (isCancellation(error) || CancellationScope.current().consideredCancelled) {
      // Prepare answered "not moved yet", so the target holds at most a partial copy: delete it. (A cut-over is never interrupted.)
      if (under?.sourceShard !== undefined) {
        under.step = 'abandon';
        await CancellationScope.nonCancellable(() => abandonMove({ moveId, bucket: under.bucket, targetShard }));
      }
      progress.current = undefined;
      progress.state = 'cancelled';
      log.info('move cancelled', { moveId, moved: progress.moved.length, abandoned: under?.bucket });
      throw isCancellation(error) ? error : new CancelledFailure('move cancelled', [], error as Error);
    }
    if (error instanceof ActivityFailure && under) {
      // A refusal (transient faults are retried forever): say which bucket and step, in the service's words.
      progress.state = 'failed';
      progress.failure = `bucket ${under.bucket}, ${under.step}: ${error.cause?.message ?? error.message}`;
      throw ApplicationFailure.create({
        message: progress.failure,
        type: (error.cause as ApplicationFailure | undefined)?.type ?? undefined,
        nonRetryable: true,
        cause: error,
      });
    }
    throw error;
  }
  progress.state = 'done';
  return progress;
}
