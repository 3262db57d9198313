/**
 * The chaos run, small: 40 orders of every kind placed through the HTTP API
 * while each app is SIGKILLed (the launcher restarts it) and Postgres crashes
 * once; then each invariant is checked from the services' databases (every order shard).
 * `npm run chaos` is the same with 300 orders.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { checkNames } from '../chaos/checks';
import { runChaos } from '../chaos/chaos';
import { formatReport, type ChaosResult } from '../chaos/report';

describe('chaos: apps killed and Postgres crashed while orders flow', () => {
  let result: ChaosResult;

  beforeAll(async () => {
    const started = Date.now();
    result = await runChaos({
      orders: 40,
      killRounds: 1,
      seed: 7,
      ratePerSecond: 2,
      concurrency: 4,
      // Faults heal within ~20 s; a system that does not serve again fails within these bounds.
      placeTimeoutMs: 60_000,
      settleTimeoutMs: 90_000,
      log: (line) => console.log(`[chaos ${((Date.now() - started) / 1000).toFixed(1)} s] ${line}`),
    });
    console.log(formatReport(result));
  }, 290_000);

  it('killed every app once and restarted Postgres once', () => {
    const killed = result.faults.flatMap((f) => (f.fault.kind === 'kill' ? [f.fault.app] : []));
    expect(killed.sort()).toEqual(['gateway', 'inventory-service', 'orchestrator', 'order-service', 'payment-service', 'shipping-service']);
    expect(result.faults.filter((f) => f.fault.kind === 'postgres restart')).toHaveLength(1);
  });

  it.each(checkNames)('%s', (name) => {
    const check = result.checks.find((c) => c.name === name)!;
    expect(check.failures, `${name}:\n${check.failures.join('\n')}`).toEqual([]);
  });
});
