/**
 * ReshardWorkflow on a real Temporal dev server, its activities mostly fakes
 * that log their calls (the workflow is what is under test); the refusal and
 * outage cases run the real activities against a BucketMoveService stand-in
 * over real gRPC on loopback.
 */
import { randomUUID } from 'node:crypto';
import { Code, ConnectError } from '@connectrpc/connect';
import { BucketMoveService } from '@oms/contracts/order/v1/bucket-moves';
import {
  bucketMoveRefused,
  pauseReshardSignal,
  progressQuery,
  resumeReshardSignal,
  reshardWorkflowId,
  type ReshardInput,
  type ReshardProgress,
} from '@oms/contracts/workflows';
import { createLogger, serviceClient, startRpcServer } from '@oms/platform';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { CancelledFailure, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketMoveActivities, type BucketMoveActivities, type BucketMoveRef } from '../src/activities/bucket-moves';
import type { ReshardWorkflow } from '../src/workflows';
import { Gate, type Calls } from './fake-activities';
import { startServerAndBundle, until } from './dev-server';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  [env, bundle] = await startServerAndBundle();
});

afterAll(async () => {
  await env?.teardown();
});

type Overrides = { [K in keyof BucketMoveActivities]?: (move: BucketMoveRef) => ReturnType<BucketMoveActivities[K]> };

/** Activities that log `name(bucket)` and answer: on shard 0, 10 rows copied, nothing left to catch up, a fence of 5 + bucket ms. */
function fakeMoves(calls: Calls, overrides: Overrides = {}): BucketMoveActivities {
  const defaults: Required<Overrides> = {
    prepareMove: async () => ({ sourceShard: 0, done: false }),
    copyBucket: async () => ({ rows: 10, bytes: 1000 }),
    catchUpBucket: async () => ({ rowsChanged: 0 }),
    cutOverBucket: async ({ bucket }) => ({ fenceMs: 5 + bucket, rowsChanged: 0, mapVersion: 2 }),
    abandonMove: async () => ({ rowsDeleted: 10 }),
  };
  const logged = Object.entries({ ...defaults, ...overrides }).map(([name, fn]) => [
    name,
    (move: BucketMoveRef) => (calls.push(`${name}(${move.bucket})`), (fn as (m: BucketMoveRef) => unknown)(move)),
  ]);
  return Object.fromEntries(logged) as BucketMoveActivities;
}

const steps = (bucket: number) => [`prepareMove(${bucket})`, `copyBucket(${bucket})`, `catchUpBucket(${bucket})`, `cutOverBucket(${bucket})`];

type Handle = WorkflowHandle<typeof ReshardWorkflow>;

/**
 * Runs a move of `buckets` to shard 2 to its end on a worker with these
 * activities; `drive` runs alongside (to query, signal or cancel). Returns
 * how it ended, the progress query's answer after the end and its status.
 */
async function runMove(activities: BucketMoveActivities, input: Partial<ReshardInput> & { buckets: number[] }, drive?: (handle: Handle) => Promise<void>) {
  const taskQueue = `test-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    activities,
    // Heartbeats reach the server promptly, so a cancellation reaches a heartbeating activity.
    maxHeartbeatThrottleInterval: '20 ms',
  });
  const moveId = randomUUID().slice(0, 8);
  return worker.runUntil(async () => {
    const handle = await env.client.workflow.start<typeof ReshardWorkflow>('ReshardWorkflow', {
      taskQueue,
      workflowId: reshardWorkflowId(moveId),
      args: [{ moveId, targetShard: 2, ...input }],
    });
    const [ended] = await Promise.all([
      handle.result().then(
        (result) => ({ result, error: undefined }),
        (error: unknown) => ({ result: undefined, error }),
      ),
      drive?.(handle),
    ]);
    const progress = await handle.query(progressQuery);
    const { status, runId } = await handle.describe();
    return { ...ended, moveId, progress, closedAs: status.name, runs: { first: handle.firstExecutionRunId, last: runId } };
  });
}

const progressOf = (handle: Handle) => handle.query(progressQuery);

describe('ReshardWorkflow', () => {
  it('moves the buckets one at a time, in order, and reports its progress with each fence', async () => {
    const calls: Calls = [];
    const cutOver = new Gate();
    let during: ReshardProgress | undefined;
    const { result, progress, moveId } = await runMove(
      fakeMoves(calls, {
        cutOverBucket: async ({ bucket }) => {
          if (bucket === 1) await cutOver.wait();
          return { fenceMs: 5 + bucket, rowsChanged: 0, mapVersion: 2 };
        },
      }),
      { buckets: [3, 1, 2] },
      async (handle) => {
        await cutOver.entered;
        during = await progressOf(handle);
        cutOver.open();
      },
    );
    expect(calls).toEqual([...steps(3), ...steps(1), ...steps(2)]);
    expect(during).toMatchObject({ moved: [3], fencesMs: [8], rowsCopied: 20, current: { bucket: 1, sourceShard: 0, step: 'cut over' }, state: 'running' });
    expect(result).toEqual({ moveId, targetShard: 2, buckets: [3, 1, 2], moved: [3, 1, 2], fencesMs: [8, 6, 7], rowsCopied: 30, paused: false, state: 'done' });
    expect(progress).toEqual(result);
  });

  it('passes the move to every step', async () => {
    const moves: BucketMoveRef[] = [];
    const { moveId } = await runMove(fakeMoves([], { prepareMove: async (move) => (moves.push(move), { sourceShard: 1, done: false }) }), { buckets: [7] });
    expect(moves).toEqual([{ moveId, bucket: 7, targetShard: 2 }]);
  });

  it('catches up while more than 100 rows changed, at most 5 rounds', async () => {
    const calls: Calls = [];
    const changed: Record<number, number[]> = { 0: [500, 101, 100, 7], 1: [1000, 1000, 1000, 1000, 1000, 1000] };
    await runMove(fakeMoves(calls, { catchUpBucket: async ({ bucket }) => ({ rowsChanged: changed[bucket]!.shift()! }) }), { buckets: [0, 1] });
    const catchUps = (bucket: number) => calls.filter((c) => c === `catchUpBucket(${bucket})`).length;
    expect([catchUps(0), catchUps(1)]).toEqual([3, 5]);
    expect(calls.at(-1)).toBe('cutOverBucket(1)');
  });

  it('skips a bucket that prepare finds on the target already', async () => {
    const calls: Calls = [];
    const { result } = await runMove(fakeMoves(calls, { prepareMove: async ({ bucket }) => ({ sourceShard: 2, done: bucket === 1 }) }), { buckets: [0, 1, 2] });
    expect(calls).toEqual([...steps(0), 'prepareMove(1)', ...steps(2)]);
    expect(result).toMatchObject({ moved: [0, 1, 2], fencesMs: [5, 7], rowsCopied: 20, state: 'done' });
  });

  it('a pause holds before the next step; resume carries on', async () => {
    const calls: Calls = [];
    const copy = new Gate();
    let held: ReshardProgress | undefined;
    let callsWhileHeld: Calls = [];
    const { result } = await runMove(
      fakeMoves(calls, { copyBucket: async () => (await copy.wait(), { rows: 10, bytes: 1000 }) }),
      { buckets: [0] },
      async (handle) => {
        await copy.entered;
        await handle.signal(pauseReshardSignal);
        copy.open();
        await until(async () => (held = await progressOf(handle)).state === 'paused');
        callsWhileHeld = [...calls];
        await handle.signal(resumeReshardSignal);
      },
    );
    expect(held).toMatchObject({ paused: true, rowsCopied: 10, current: { bucket: 0, step: 'copy' } });
    expect(callsWhileHeld).toEqual(['prepareMove(0)', 'copyBucket(0)']);
    expect(calls).toEqual(steps(0));
    expect(result).toMatchObject({ moved: [0], paused: false, state: 'done' });
  });

  it('after a pause before the cut-over, catches up again first', async () => {
    const calls: Calls = [];
    const catchUp = new Gate();
    await runMove(fakeMoves(calls, { catchUpBucket: async () => (await catchUp.wait(), { rowsChanged: 0 }) }), { buckets: [0] }, async (handle) => {
      await catchUp.entered;
      await handle.signal(pauseReshardSignal);
      catchUp.open();
      await until(async () => (await progressOf(handle)).state === 'paused');
      await handle.signal(resumeReshardSignal);
    });
    expect(calls).toEqual(['prepareMove(0)', 'copyBucket(0)', 'catchUpBucket(0)', 'catchUpBucket(0)', 'cutOverBucket(0)']);
  });

  it('cancelled during a copy: abandons that bucket, keeps the ones moved, ends cancelled', async () => {
    const calls: Calls = [];
    const copy = new Gate();
    const { error, progress, closedAs } = await runMove(
      fakeMoves(calls, { copyBucket: async ({ bucket }) => (bucket === 1 && (await copy.wait()), { rows: 10, bytes: 1000 }) }),
      { buckets: [0, 1, 2] },
      async (handle) => {
        await copy.entered;
        await handle.cancel();
      },
    );
    expect(await copy.ended).toBe('cancelled');
    expect(calls).toEqual([...steps(0), 'prepareMove(1)', 'copyBucket(1)', 'abandonMove(1)']);
    expect((error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect(closedAs).toBe('CANCELLED');
    expect(progress).toMatchObject({ moved: [0], fencesMs: [5], state: 'cancelled' });
    expect(progress.current).toBeUndefined();
  });

  it('cancelled during a cut-over: lets it finish, so that bucket is moved and nothing is abandoned', async () => {
    const calls: Calls = [];
    const cutOver = new Gate({ hearsCancellation: false });
    const { progress, closedAs } = await runMove(
      fakeMoves(calls, { cutOverBucket: async ({ bucket }) => (bucket === 0 && (await cutOver.wait()), { fenceMs: 3, rowsChanged: 0, mapVersion: 2 }) }),
      { buckets: [0, 1] },
      async (handle) => {
        await cutOver.entered;
        await handle.cancel();
        cutOver.open();
      },
    );
    expect(calls).toEqual(steps(0));
    expect(closedAs).toBe('CANCELLED');
    expect(progress).toMatchObject({ moved: [0], fencesMs: [3], state: 'cancelled' });
  });

  it('an activity attempt that stops heartbeating (its worker died mid-copy) is retried, and the move completes', async () => {
    const calls: Calls = [];
    const { result } = await runMove(
      fakeMoves(calls, {
        copyBucket: async () => {
          // The first attempt hangs without a heartbeat until the worker shuts down; the retry answers.
          if (Context.current().info.attempt === 1) await Context.current().cancelled;
          return { rows: 10, bytes: 1000 };
        },
      }),
      { buckets: [0], heartbeatTimeoutMs: 1_000 },
    );
    expect(calls).toEqual(['prepareMove(0)', 'copyBucket(0)', 'copyBucket(0)', 'catchUpBucket(0)', 'cutOverBucket(0)']);
    expect(result).toMatchObject({ moved: [0], rowsCopied: 10, state: 'done' });
  });

  it('continues as new every bucketsPerRun buckets, carrying its progress', async () => {
    const calls: Calls = [];
    const { result, progress, runs } = await runMove(fakeMoves(calls), { buckets: [0, 1, 2, 3, 4], bucketsPerRun: 2 });
    expect(runs.last).not.toBe(runs.first);
    expect(calls).toEqual([0, 1, 2, 3, 4].flatMap(steps));
    expect(result).toMatchObject({ moved: [0, 1, 2, 3, 4], fencesMs: [5, 6, 7, 8, 9], rowsCopied: 50, state: 'done' });
    expect(progress).toEqual(result);
  });
});

describe('ReshardWorkflow with the real activities over gRPC', () => {
  /**
   * Runs `fn` with the real activities, over gRPC to a BucketMoveService
   * stand-in whose prepareMove is `prepareMove`, whose other RPCs answer a
   * clean move, and which logs every call in `calls`.
   */
  async function withBucketMoves<T>(prepareMove: () => unknown, fn: (activities: BucketMoveActivities, calls: Calls) => Promise<T>): Promise<T> {
    const calls: Calls = [];
    const logged =
      <R>(name: string, answer: () => R) =>
      () => (calls.push(name), answer());
    const server = await startRpcServer({
      app: 'fake-bucket-moves',
      config: { HOST: '127.0.0.1', PORT: 0, METRICS_PORT: 0, SHUTDOWN_GRACE_MS: 1000 },
      logger: createLogger('fake-bucket-moves', 'silent'),
      services: [BucketMoveService],
      routes: (router) =>
        router.service(BucketMoveService, {
          prepareMove: logged('prepareMove', prepareMove as () => { sourceShard: number }),
          copyBucket: logged('copyBucket', () => ({ rows: 10n, bytes: 1000n })),
          catchUpBucket: logged('catchUpBucket', () => ({ rowsChanged: 0n })),
          cutOverBucket: logged('cutOverBucket', () => ({ fenceMs: 4.5, rowsChanged: 0n, mapVersion: 2 })),
          abandonMove: logged('abandonMove', () => ({ rowsDeleted: 0n })),
        }),
    });
    try {
      return await fn(bucketMoveActivities({ bucketMoves: serviceClient(BucketMoveService, server.url), heartbeatEveryMs: 100 }), calls);
    } finally {
      await server.close();
    }
  }

  it("a refusal fails the move with the service's reason, without retrying", async () => {
    let prepares = 0;
    const refusal = 'shard 1 cannot take part in a two-phase commit: max_prepared_transactions = 0';
    const { error, progress, closedAs } = await withBucketMoves(
      () => {
        prepares++;
        throw new ConnectError(refusal, Code.FailedPrecondition);
      },
      (activities) => runMove(activities, { buckets: [4] }),
    );
    expect(prepares).toBe(1);
    expect(closedAs).toBe('FAILED');
    const failure = (error as WorkflowFailedError).cause as ApplicationFailure;
    expect(failure).toMatchObject({ type: bucketMoveRefused, message: `bucket 4, prepare: ${refusal}` });
    expect(progress).toMatchObject({ state: 'failed', failure: `bucket 4, prepare: ${refusal}`, moved: [] });
  });

  it('a shard that is unavailable holds the move until it answers', async () => {
    let prepares = 0;
    const { result } = await withBucketMoves(
      () => {
        if (++prepares < 3) throw new ConnectError('shard 1 is down', Code.Unavailable);
        return { sourceShard: 1, done: false };
      },
      (activities) => runMove(activities, { buckets: [4] }),
    );
    expect(prepares).toBe(3);
    expect(result).toMatchObject({ moved: [4], fencesMs: [4.5], rowsCopied: 10, state: 'done' });
  });

  it('cancelled while a step is failing with an outage: ends cancelled, with nothing to abandon', async () => {
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const { closedAs, progress, calls } = await withBucketMoves(
      async () => {
        // The attempt fails only once its cancellation was asked for: it never hears of it (prepare does not heartbeat), so it ends failed.
        await released;
        throw new ConnectError('shard 1 is down', Code.Unavailable);
      },
      async (activities, calls) => ({
        calls,
        ...(await runMove(activities, { buckets: [4] }, async (handle) => {
          await until(() => calls.length > 0);
          await handle.cancel();
          await until(async () => ((await handle.fetchHistory()).events ?? []).some((event) => event.activityTaskCancelRequestedEventAttributes));
          release();
        })),
      }),
    );
    expect(closedAs).toBe('CANCELLED');
    expect(progress).toMatchObject({ state: 'cancelled', moved: [] });
    expect(calls).toEqual(['prepareMove']);
  });
});
