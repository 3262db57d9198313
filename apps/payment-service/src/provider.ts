/**
 * The card provider: a simulated one that behaves like a real provider's test
 * cards (SimulatedCardProvider), and our guarded client of it (CardProvider).
 *
 * The simulation stands for an external system: it keeps its own ledger
 * (provider_charges, provider_refunds) on its own connections and in its own
 * transactions, never inside the service's, and it is idempotent on the key we
 * send, like Stripe, so a retried charge never charges twice.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { durationFromMs } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError } from '@connectrpc/connect';
import { RetryInfoSchema } from '@oms/contracts/rpc';
import {
  circuitBreaker,
  ConsecutiveBreaker,
  handleWhen,
  isBrokenCircuitError,
  TaskCancelledError,
  timeout,
  TimeoutStrategy,
  wrap,
} from 'cockatiel';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { PrismaClient } from './generated/prisma/client';

export interface ProviderCharge {
  /** Our idempotency key for this charge at the provider. */
  key: string;
  token: string;
  amountMinor: bigint;
  currency: string;
}

export type ChargeOutcome = { chargeId: string; approved: true } | { chargeId: string; approved: false; declineReason: string };

export interface ProviderRefund {
  key: string;
  chargeId: string;
  amountMinor: bigint;
}

/** A provider failure that a retry may outlive. */
export class ProviderUnavailable extends Error {}

interface TokenBehaviour {
  transientFailures: number;
  slow: boolean;
  declineReason?: string;
}

function tokenBehaviour(token: string): TokenBehaviour {
  if (token === 'tok_success') return { transientFailures: 0, slow: false };
  if (token === 'tok_slow') return { transientFailures: 0, slow: true };
  if (token === 'tok_declined') return { transientFailures: 0, slow: false, declineReason: 'card declined: insufficient funds' };
  const flaky = /^tok_flaky_([0-9]{1,3})$/.exec(token);
  if (flaky) return { transientFailures: Number(flaky[1]), slow: false };
  throw new ConnectError('payment_token: unknown token', Code.InvalidArgument);
}

interface LedgerCharge {
  id: bigint;
  status: 'PENDING' | 'APPROVED' | 'DECLINED';
  decline_reason: string;
  attempts: number;
}

const chargeId = (id: bigint) => `ch_${id}`;

function ledgerId(charge: string): bigint {
  if (!/^ch_[0-9]{1,19}$/.test(charge)) throw new ConnectError(`payment provider: no such charge ${charge}`, Code.FailedPrecondition);
  return BigInt(charge.slice(3));
}

function outcome(row: LedgerCharge): ChargeOutcome {
  return row.status === 'DECLINED'
    ? { chargeId: chargeId(row.id), approved: false, declineReason: row.decline_reason }
    : { chargeId: chargeId(row.id), approved: true };
}

export class SimulatedCardProvider {
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly slowMs: number,
  ) {}

  charge(request: ProviderCharge): Promise<ChargeOutcome> {
    return this.track(this.simulateCharge(request));
  }

  /** Returns the provider's refund id; the same key returns the same refund. */
  refund(request: ProviderRefund): Promise<string> {
    return this.track(this.simulateRefund(request));
  }

  /** Waits for calls still running (e.g. slow ones our client stopped waiting for). */
  async close(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work)).catch(() => undefined);
    return work;
  }

  private async simulateCharge({ key, token, amountMinor, currency }: ProviderCharge): Promise<ChargeOutcome> {
    const behaviour = tokenBehaviour(token);
    // Every request is counted against its key; a decided charge is replayed as it was.
    const [row] = await this.prisma.$queryRaw<LedgerCharge[]>`
      INSERT INTO provider_charges (key, token, amount_minor, currency, attempts)
      VALUES (${key}, ${token}, ${amountMinor}, ${currency}, 1)
      ON CONFLICT (key) DO UPDATE SET attempts = provider_charges.attempts + 1, updated_at = now()
      RETURNING id, status::text AS status, decline_reason, attempts`;
    if (row!.status !== 'PENDING') return outcome(row!);
    if (row!.attempts <= behaviour.transientFailures) {
      throw new ProviderUnavailable(`temporary failure (attempt ${row!.attempts} of charge ${key})`);
    }
    if (behaviour.slow) await sleep(this.slowMs);
    await this.prisma.providerCharge.updateMany({
      where: { id: row!.id, status: 'PENDING' },
      data: behaviour.declineReason ? { status: 'DECLINED', declineReason: behaviour.declineReason } : { status: 'APPROVED' },
    });
    const [decided] = await this.prisma.$queryRaw<LedgerCharge[]>`
      SELECT id, status::text AS status, decline_reason, attempts FROM provider_charges WHERE id = ${row!.id}`;
    return outcome(decided!);
  }

  private simulateRefund({ key, chargeId: charge, amountMinor }: ProviderRefund): Promise<string> {
    const id = ledgerId(charge);
    return this.prisma.$transaction(async (tx) => {
      // Lock the charge first, so that concurrent refunds of it are checked one at a time.
      const [locked] = await tx.$queryRaw<{ amount_minor: bigint; status: string }[]>`
        SELECT amount_minor, status::text AS status FROM provider_charges WHERE id = ${id} FOR UPDATE`;
      const done = await tx.providerRefund.findUnique({ where: { key } });
      if (done) return `re_${done.id}`;
      if (locked?.status !== 'APPROVED') throw new ConnectError(`payment provider: charge ${charge} cannot be refunded`, Code.FailedPrecondition);
      const { _sum } = await tx.providerRefund.aggregate({ where: { chargeId: id }, _sum: { amountMinor: true } });
      if ((_sum.amountMinor ?? 0n) + amountMinor > locked.amount_minor) {
        throw new ConnectError(`payment provider: refund exceeds what is left of charge ${charge}`, Code.FailedPrecondition);
      }
      const refund = await tx.providerRefund.create({ data: { key, chargeId: id, amountMinor } });
      return `re_${refund.id}`;
    });
  }
}

export interface CardProviderOptions {
  timeoutMs: number;
  breakerThreshold: number;
  halfOpenMs: number;
}

const minRetryDelayMs = 100;

// cockatiel 3's isTaskCancelledError() tests the wrong property, hence instanceof.
const isTransient = (error: unknown) => error instanceof ProviderUnavailable || error instanceof TaskCancelledError;

/**
 * Our client of the provider: every call runs under a timeout inside a
 * circuit breaker that counts only transient failures and timeouts (a decline
 * is an answer, not a failure). Faults leave as UNAVAILABLE.
 */
export class CardProvider {
  private readonly policy;
  private readonly charges: Counter<'outcome'>;
  /** When the breaker last opened: a caller refused by it is told when to come back. */
  private openedAt = 0;

  constructor(
    private readonly provider: SimulatedCardProvider,
    private readonly options: CardProviderOptions,
    registry: Registry,
  ) {
    const breaker = circuitBreaker(handleWhen(isTransient), {
      breaker: new ConsecutiveBreaker(options.breakerThreshold),
      halfOpenAfter: options.halfOpenMs,
    });
    breaker.onBreak(() => (this.openedAt = Date.now()));
    this.policy = wrap(breaker, timeout(options.timeoutMs, TimeoutStrategy.Aggressive));
    new Gauge({
      name: 'payment_provider_circuit_state',
      help: 'Card provider circuit breaker: 0 closed, 1 open, 2 half-open, 3 isolated',
      registers: [registry],
      collect() {
        this.set(breaker.state);
      },
    });
    this.charges = new Counter({
      name: 'payment_provider_charges_total',
      help: 'Charges sent to the card provider, by outcome',
      labelNames: ['outcome'],
      registers: [registry],
    });
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
