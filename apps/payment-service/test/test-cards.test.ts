import { Code } from '@connectrpc/connect';
import { rpcError } from '@oms/testing';
import { describe, expect, it } from 'vitest';
import { tokenBehaviour } from '../src/card-provider/simulator/test-cards';

describe('the simulator test cards', () => {
  it('maps each token to what the provider does', () => {
    expect(tokenBehaviour('tok_success')).toEqual({ transientFailures: 0, slow: false });
    expect(tokenBehaviour('tok_slow')).toEqual({ transientFailures: 0, slow: true });
    expect(tokenBehaviour('tok_declined')).toMatchObject({ declineReason: 'card declined: insufficient funds' });
    expect(tokenBehaviour('tok_flaky_3')).toEqual({ transientFailures: 3, slow: false });
  });

  it('refuses any other token as INVALID_ARGUMENT naming payment_token', async () => {
    for (const token of ['tok_unknown', 'tok_flaky_1000', '']) {
      const error = await rpcError(Promise.resolve(token).then(tokenBehaviour));
      expect([error.code, error.rawMessage]).toEqual([Code.InvalidArgument, 'payment_token: unknown token']);
    }
  });
});
