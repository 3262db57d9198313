/**
 * The bucket-move activities over a fake BucketMoveService client in a mock
 * activity context: what they send, what they answer, how they heartbeat,
 * and how refusals, outages and cancellation come out.
 */
import { Code, ConnectError, type Client } from '@connectrpc/connect';
import type { BucketMoveService } from '@oms/contracts/order/v1/bucket-moves';
import { bucketMoveRefused } from '@oms/contracts/workflows';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { bucketMoveActivities } from '../src/activities/bucket-moves';

const move = { moveId: 'm1', bucket: 7, targetShard: 2 };
const quiet = () => new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR', () => undefined) });

type Rpc = (request: unknown, options: { signal: AbortSignal }) => Promise<unknown>;
const client = (methods: Record<string, Rpc>) => methods as unknown as Client<typeof BucketMoveService>;

describe('bucket-move activities', () => {
  it('send the move and answer with plain numbers', async () => {
    const requests: unknown[] = [];
    const activities = bucketMoveActivities({
      bucketMoves: client({
        prepareMove: async (request) => (requests.push(request), { sourceShard: 1, done: false }),
        cutOverBucket: async (request) => (requests.push(request), { fenceMs: 12.5, rowsChanged: 3n, mapVersion: 9, verified: [] }),
      }),
    });
    const env = quiet();
    expect(await env.run(() => activities.prepareMove(move))).toEqual({ sourceShard: 1, done: false });
    expect(await env.run(() => activities.cutOverBucket(move))).toEqual({ fenceMs: 12.5, rowsChanged: 3, mapVersion: 9 });
    expect(requests).toEqual([{ move }, { move }]);
  });

  it('a copy heartbeats while its call runs', async () => {
    const env = quiet();
    let heartbeats = 0;
    const beats = new Promise<void>((resolve) => env.on('heartbeat', () => ++heartbeats === 3 && resolve()));
    // The service answers only once the activity has heartbeated three times.
    const activities = bucketMoveActivities({
      bucketMoves: client({ copyBucket: async () => (await beats, { rows: 1200n, bytes: 64_000n }) }),
      heartbeatEveryMs: 5,
    });
    expect(await env.run(() => activities.copyBucket(move))).toEqual({ rows: 1200, bytes: 64_000 });
  });

  it('a refusal is a non-retryable failure; an outage is left for Temporal to retry', async () => {
    const failing = (code: Code) =>
      bucketMoveActivities({ bucketMoves: client({ prepareMove: () => Promise.reject(new ConnectError('max_prepared_transactions = 0', code)) }) });
    for (const code of [Code.FailedPrecondition, Code.InvalidArgument]) {
      const error = await quiet()
        .run(() => failing(code).prepareMove(move))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApplicationFailure);
      expect(error).toMatchObject({ type: bucketMoveRefused, nonRetryable: true, message: 'max_prepared_transactions = 0' });
    }
    const outage = await quiet()
      .run(() => failing(Code.Unavailable).prepareMove(move))
      .catch((e: unknown) => e);
    expect(outage).toBeInstanceOf(ConnectError);
    expect((outage as ConnectError).code).toBe(Code.Unavailable);
  });

  it('cancelled, aborts its call and ends cancelled (not failed)', async () => {
    const env = quiet();
    let started = () => {};
    const calling = new Promise<void>((resolve) => (started = resolve));
    const activities = bucketMoveActivities({
      bucketMoves: client({
        // Like connect-node: an aborted call rejects with CANCELED.
        catchUpBucket: (_request, { signal }) =>
          new Promise((_resolve, reject) => {
            signal.addEventListener('abort', () => reject(new ConnectError('aborted', Code.Canceled)));
            started();
          }),
      }),
    });
    const running = env.run(() => activities.catchUpBucket(move)).catch((e: unknown) => e);
    await calling;
    env.cancel();
    expect(await running).toBeInstanceOf(CancelledFailure);
  });
});
