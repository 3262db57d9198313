/**
 * A simulated card provider that behaves like a real provider's test cards
 * (test-cards.ts). It stands for an external system: it keeps its own ledger
 * (provider_charges, provider_refunds) on its own connections and in its own
 * transactions, never inside the service's, and it is idempotent on the key
 * we send, so a retried charge never charges twice.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Code, ConnectError } from '@connectrpc/connect';
import type { PrismaClient } from '../../generated/prisma/client';
import { ProviderUnavailable, type CardProvider, type ChargeOutcome, type ProviderCharge, type ProviderRefund } from '../card-provider';
import { tokenBehaviour } from './test-cards';

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

export class SimulatedCardProvider implements CardProvider {
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly slowMs: number,
  ) {}

  charge(request: ProviderCharge): Promise<ChargeOutcome> {
    return this.track(this.simulateCharge(request));
  }

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
