import { durationMs } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError } from '@connectrpc/connect';
import { RetryInfoSchema } from '@oms/contracts/rpc';
import { rpcError } from '@oms/testing';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ProviderUnavailable, type CardProvider, type ChargeOutcome, type ProviderCharge } from '../src/card-provider/card-provider';
import { GuardedCardProvider, type GuardOptions } from '../src/card-provider/guarded-client';
import { paymentMetrics } from '../src/metrics';

// The guard around a scripted provider: no database, no simulator.
const request: ProviderCharge = { key: 'charge:k', token: 'tok', amountMinor: 100n, currency: 'USD' };
const approved: ChargeOutcome = { chargeId: 'ch_1', approved: true };
const never = () => new Promise<never>(() => undefined);

function guarded(charge: CardProvider['charge'], options: Partial<GuardOptions> = {}) {
  const registry = new Registry();
  const provider: CardProvider = { charge, refund: async () => 're_1' };
  const guard = new GuardedCardProvider(provider, { timeoutMs: 1000, breakerThreshold: 2, halfOpenMs: 200, ...options }, paymentMetrics(registry));
  const metric = async (name: string, labels: Record<string, string> = {}) => {
    const { values } = await registry.getSingleMetric(name)!.get();
    return values.find((v) => Object.entries(labels).every(([k, value]) => v.labels[k] === value))?.value ?? 0;
  };
  return { guard, metric };
}

describe('GuardedCardProvider', () => {
  it('passes answers through and counts charges by outcome', async () => {
    const declined: ChargeOutcome = { chargeId: 'ch_2', approved: false, declineReason: 'no' };
    const answers = [approved, declined];
    const { guard, metric } = guarded(async () => answers.shift()!);
    expect(await guard.charge(request)).toEqual(approved);
    expect(await guard.charge(request)).toEqual(declined);
    expect(await guard.refund({ key: 'refund:k', chargeId: 'ch_1', amountMinor: 1n })).toBe('re_1');
    expect([
      await metric('payment_provider_charges_total', { outcome: 'approved' }),
      await metric('payment_provider_charges_total', { outcome: 'declined' }),
    ]).toEqual([1, 1]);
  });

  it('turns transient failures and timeouts into UNAVAILABLE, and lets refusals through', async () => {
    const transient = guarded(async () => {
      throw new ProviderUnavailable('flaky');
    });
    const error = await rpcError(transient.guard.charge(request));
    expect([error.code, error.rawMessage]).toEqual([Code.Unavailable, 'payment provider unavailable: flaky']);
    expect(await transient.metric('payment_provider_charges_total', { outcome: 'unavailable' })).toBe(1);

    const slow = await rpcError(guarded(never, { timeoutMs: 20 }).guard.charge(request));
    expect([slow.code, slow.rawMessage]).toEqual([Code.Unavailable, 'payment provider unavailable: no answer within 20 ms']);

    const refusing = guarded(async () => {
      throw new ConnectError('payment_token: unknown token', Code.InvalidArgument);
    });
    for (let i = 0; i < 3; i++) expect((await rpcError(refusing.guard.charge(request))).code).toBe(Code.InvalidArgument);
    expect(await refusing.metric('payment_provider_circuit_state')).toBe(0); // refusals never open the breaker
    expect(await refusing.metric('payment_provider_charges_total', { outcome: 'rejected' })).toBe(3);
  });

  it('opens the breaker after consecutive transient failures and says when to come back', async () => {
    let calls = 0;
    const { guard, metric } = guarded(async () => {
      calls++;
      throw new ProviderUnavailable('down');
    });
    for (let i = 0; i < 2; i++) await rpcError(guard.charge(request));
    expect(await metric('payment_provider_circuit_state')).toBe(1);
    const open = await rpcError(guard.charge(request));
    expect([open.code, open.rawMessage, calls]).toEqual([Code.Unavailable, 'payment provider circuit open', 2]);
    const [retry] = open.findDetails(RetryInfoSchema);
    expect(durationMs(retry!.retryDelay!)).toBeGreaterThan(0);
    expect(durationMs(retry!.retryDelay!)).toBeLessThanOrEqual(200);
  });
});
