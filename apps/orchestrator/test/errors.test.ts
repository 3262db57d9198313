/** How service errors become Temporal failures: refusals are final, faults are retried, when the service says. */
import { durationFromMs } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError } from '@connectrpc/connect';
import { RetryInfoSchema } from '@oms/contracts/rpc';
import { refused } from '@oms/platform';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { refusalsAs, stockDetails } from '../src/activities/errors';

const failing = (error: ConnectError) => refusalsAs('PaymentDeclinedError', Promise.reject(error)).catch((e: unknown) => e);

describe('refusalsAs', () => {
  it('makes a business refusal a non-retryable failure of the given type', async () => {
    const failure = await failing(new ConnectError('card declined', Code.FailedPrecondition));
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'PaymentDeclinedError', nonRetryable: true, message: 'card declined' });
  });

  it('leaves a fault for Temporal to retry with its backoff', async () => {
    const fault = new ConnectError('payment-service unavailable', Code.Unavailable);
    expect(await failing(fault)).toBe(fault);
  });

  it('retries a fault when the service asks (RetryInfo), e.g. when an open breaker lets calls through again', async () => {
    const open = new ConnectError('payment provider circuit open', Code.Unavailable, undefined, [
      { desc: RetryInfoSchema, value: { retryDelay: durationFromMs(2_500) } },
    ]);
    const failure = await failing(open);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ nonRetryable: false, nextRetryDelay: 2_500, message: 'payment provider circuit open' });
  });

  it("reads the refused sku from inventory's ErrorInfo, not from the message", async () => {
    const short = refused('stock ran out', { reason: 'INSUFFICIENT_STOCK', metadata: { sku: 'MUG-1' } });
    const failure = await refusalsAs('InsufficientStockError', Promise.reject(short), stockDetails).catch((e: unknown) => e);
    expect(failure).toMatchObject({ type: 'InsufficientStockError', nonRetryable: true, details: [{ sku: 'MUG-1' }] });
  });
});
