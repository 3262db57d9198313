/**
 * Our guarded client of a card provider: every call runs under a timeout
 * inside a circuit breaker that counts only transient failures and timeouts
 * (a decline is an answer, not a failure). Faults leave as UNAVAILABLE, an
 * open breaker with RetryInfo saying when to come back; the provider's
 * refusals pass through as they are.
 */
import { durationFromMs } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError } from '@connectrpc/connect';
import { RetryInfoSchema } from '@oms/contracts/rpc';
import { circuitBreaker, ConsecutiveBreaker, handleWhen, isBrokenCircuitError, TaskCancelledError, timeout, TimeoutStrategy, wrap } from 'cockatiel';
import type { Counter } from 'prom-client';
import type { PaymentMetrics } from '../metrics';
import { ProviderUnavailable, type CardProvider, type ChargeOutcome, type ProviderCharge, type ProviderRefund } from './card-provider';

export interface GuardOptions {
  timeoutMs: number;
  breakerThreshold: number;
  halfOpenMs: number;
}

const minRetryDelayMs = 100;

// cockatiel 3's isTaskCancelledError() tests the wrong property, hence instanceof.
const isTransient = (error: unknown) => error instanceof ProviderUnavailable || error instanceof TaskCancelledError;

export class GuardedCardProvider implements CardProvider {
  private readonly policy;
  private readonly charges: Counter<'outcome'>;
  /** When the breaker last opened: a caller refused by it is told when to come back. */
  private openedAt = 0;

  constructor(
    private readonly provider: CardProvider,
    private readonly options: GuardOptions,
    metrics: PaymentMetrics,
  ) {
    const breaker = circuitBreaker(handleWhen(isTransient), {
      breaker: new ConsecutiveBreaker(options.breakerThreshold),
      halfOpenAfter: options.halfOpenMs,
    });
    breaker.onBreak(() => (this.openedAt = Date.now()));
    this.policy = wrap(breaker, timeout(options.timeoutMs, TimeoutStrategy.Aggressive));
    metrics.watchProviderCircuit(() => breaker.state);
    this.charges = metrics.providerCharges;
  }

  async charge(request: ProviderCharge): Promise<ChargeOutcome> {
    try {
      const result = await this.call(() => this.provider.charge(request));
      this.charges.inc({ outcome: result.approved ? 'approved' : 'declined' });
      return result;
    } catch (error) {
      const code = ConnectError.from(error).code;
      this.charges.inc({ outcome: code === Code.Unavailable ? 'unavailable' : 'rejected' });
      throw error;
    }
  }

  refund(request: ProviderRefund): Promise<string> {
    return this.call(() => this.provider.refund(request));
  }

  private async call<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await this.policy.execute(work);
    } catch (error) {
      if (isBrokenCircuitError(error)) {
        // Half-open lets one trial call through; the others come back shortly after it.
        const retryInMs = Math.max(this.openedAt + this.options.halfOpenMs - Date.now(), minRetryDelayMs);
        throw new ConnectError('payment provider circuit open', Code.Unavailable, undefined, [
          { desc: RetryInfoSchema, value: { retryDelay: durationFromMs(retryInMs) } },
        ]);
      }
      if (error instanceof TaskCancelledError) {
        throw new ConnectError(`payment provider unavailable: no answer within ${this.options.timeoutMs} ms`, Code.Unavailable);
      }
      if (error instanceof ProviderUnavailable) throw new ConnectError(`payment provider unavailable: ${error.message}`, Code.Unavailable);
      throw error;
    }
  }
}
