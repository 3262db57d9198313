import { randomUUID } from 'node:crypto';
import { durationMs } from '@bufbuild/protobuf/wkt';
import { Code, type Client } from '@connectrpc/connect';
import { PaymentService, PaymentStatus } from '@oms/contracts/payment/v1';
import { RetryInfoSchema } from '@oms/contracts/rpc';
import { withClient } from '@oms/db';
import { serviceClient, type RpcServer } from '@oms/platform';
import { cloneTemplate, newId, rpcError, testServiceEnv, type TestDatabase } from '@oms/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startPaymentService } from '../src/main';

let db: TestDatabase;
let server: RpcServer;
let payments: Client<typeof PaymentService>;

beforeAll(async () => {
  db = await cloneTemplate('oms_payment');
  server = await startPaymentService(testServiceEnv(db.url));
  payments = serviceClient(PaymentService, server.url);
});

afterAll(async () => {
  await server?.close();
  await db?.drop();
});

const key = () => randomUUID();
const usd = (amountMinor: bigint) => ({ amountMinor, currency: 'USD' });
const chargeRequest = (paymentToken = 'tok_success', amountMinor = 1000n, orderId = newId()) => ({
  orderId,
  customerId: newId(),
  amount: usd(amountMinor),
  paymentToken,
  idempotencyKey: key(),
});

async function charged(amountMinor = 1000n, orderId = newId()) {
  const { payment } = await payments.charge(chargeRequest('tok_success', amountMinor, orderId));
  return payment!;
}

async function sql<Row>(text: string, values: unknown[] = []): Promise<Row[]> {
  return withClient(db.url, async (client) => (await client.query(text, values)).rows as Row[]);
}

/** The simulated provider's ledger entry for a charge we sent with this idempotency key. */
async function providerCharge(idempotencyKey: string) {
  const rows = await sql<{ status: string; attempts: number; refunded: string }>(
    `SELECT c.status::text AS status, c.attempts,
            (SELECT coalesce(sum(r.amount_minor), 0)::text FROM provider_refunds r WHERE r.charge_id = c.id) AS refunded
       FROM provider_charges c WHERE c.key = $1`,
    [`charge:${idempotencyKey}`],
  );
  return rows[0];
}

async function metrics(target: RpcServer): Promise<string> {
  return (await fetch(target.metricsUrl)).text();
}

describe('charge', () => {
  it('charges an approved card and reads the payment back', async () => {
    const request = chargeRequest('tok_success', 2599n);
    const { payment } = await payments.charge(request);
    expect(payment).toMatchObject({
      orderId: request.orderId,
      customerId: request.customerId,
      amount: { amountMinor: 2599n, currency: 'USD' },
      refunded: { amountMinor: 0n, currency: 'USD' },
      status: PaymentStatus.SUCCEEDED,
      declineReason: '',
    });
    expect(payment?.id).toMatch(/^[1-9][0-9]*$/);
    expect(payment?.providerChargeId).toMatch(/^ch_[0-9]+$/);
    const got = await payments.getPayment({ paymentId: payment!.id });
    expect(got.payment).toEqual(payment);
    expect(got.refunds).toEqual([]);
    expect(await metrics(server)).toMatch(/payment_provider_charges_total\{outcome="approved",app="payment-service"\} [1-9]/);
  });

  it('replays the same key without charging twice', async () => {
    const request = chargeRequest();
    const first = await payments.charge(request);
    const again = await payments.charge(request);
    expect(again).toEqual(first);
    expect(await providerCharge(request.idempotencyKey)).toMatchObject({ status: 'APPROVED', attempts: 1 });
    expect(await sql('SELECT id FROM payments WHERE order_id = $1', [request.orderId])).toHaveLength(1);
  });

  it('rejects the same key with a different request as ALREADY_EXISTS', async () => {
    const request = chargeRequest();
    await payments.charge(request);
    const error = await rpcError(payments.charge({ ...request, amount: usd(1001n) }));
    expect(error.code).toBe(Code.AlreadyExists);
    expect(error.rawMessage).toContain(request.idempotencyKey);
    expect(await providerCharge(request.idempotencyKey)).toMatchObject({ attempts: 1 });
  });

  it('records a decline and replays the refusal without asking the provider again', async () => {
    const request = chargeRequest('tok_declined');
    const first = await rpcError(payments.charge(request));
    expect(first.code).toBe(Code.FailedPrecondition);
    expect(first.rawMessage).toBe('card declined: insufficient funds');
    const again = await rpcError(payments.charge(request));
    expect(again.code).toBe(Code.FailedPrecondition);
    expect(again.rawMessage).toBe(first.rawMessage);
    expect(await providerCharge(request.idempotencyKey)).toMatchObject({ status: 'DECLINED', attempts: 1 });
    const [row] = await sql<{ status: string; decline_reason: string }>('SELECT status::text AS status, decline_reason FROM payments WHERE order_id = $1', [
      request.orderId,
    ]);
    expect(row).toEqual({ status: 'DECLINED', decline_reason: 'card declined: insufficient funds' });
  });

  it('answers UNAVAILABLE while the provider fails, then charges once under the same key', async () => {
    const request = chargeRequest('tok_flaky_2');
    for (const attempt of [1, 2]) {
      const error = await rpcError(payments.charge(request));
      expect(error.code).toBe(Code.Unavailable);
      expect(error.rawMessage).toContain(`payment provider unavailable: temporary failure (attempt ${attempt}`);
    }
    const { payment } = await payments.charge(request);
    expect(payment?.status).toBe(PaymentStatus.SUCCEEDED);
    expect(await providerCharge(request.idempotencyKey)).toMatchObject({ status: 'APPROVED', attempts: 3 });
    expect(await sql('SELECT id FROM provider_charges WHERE key LIKE $1', [`%${request.idempotencyKey}%`])).toHaveLength(1);
  });

  it('refuses an unknown token and records nothing', async () => {
    const request = chargeRequest('tok_nonsense');
    const error = await rpcError(payments.charge(request));
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.rawMessage).toBe('payment_token: unknown token');
    expect(await providerCharge(request.idempotencyKey)).toBeUndefined();
    expect(await sql('SELECT id FROM payments WHERE order_id = $1', [request.orderId])).toHaveLength(0);
  });

  it('names every invalid field and writes nothing', async () => {
    const empty = await rpcError(payments.charge({ orderId: '', customerId: ' ', paymentToken: '', idempotencyKey: key() }));
    expect(empty.code).toBe(Code.InvalidArgument);
    for (const field of ['order_id:', 'customer_id:', 'amount:', 'payment_token:']) expect(empty.rawMessage).toContain(field);

    const request = { ...chargeRequest(), amount: { amountMinor: 0n, currency: 'usd' } };
    const money = await rpcError(payments.charge(request));
    expect(money.code).toBe(Code.InvalidArgument);
    expect(money.rawMessage).toContain('amount: amount_minor must be positive');
    expect(money.rawMessage).toContain('amount.currency:');
    expect(await providerCharge(request.idempotencyKey)).toBeUndefined();

    const noKey = await rpcError(payments.charge({ ...chargeRequest(), idempotencyKey: '' }));
    expect(noKey.code).toBe(Code.InvalidArgument);
    expect(noKey.rawMessage).toContain('idempotency_key');
  });
});

describe('refund', () => {
  it('refunds in parts down to zero, then refuses more', async () => {
    const payment = await charged(1000n);
    const part = await payments.refund({ paymentId: payment.id, amount: usd(300n), reason: 'damaged', idempotencyKey: key() });
    expect(part.refund).toMatchObject({ paymentId: payment.id, amount: usd(300n), reason: 'damaged' });
    expect(part.payment).toMatchObject({ status: PaymentStatus.PARTIALLY_REFUNDED, refunded: usd(300n) });
    const rest = await payments.refund({ paymentId: payment.id, amount: usd(700n), reason: 'returned', idempotencyKey: key() });
    expect(rest.payment).toMatchObject({ status: PaymentStatus.REFUNDED, refunded: usd(1000n) });

    const error = await rpcError(payments.refund({ paymentId: payment.id, amount: usd(1n), reason: 'more', idempotencyKey: key() }));
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(error.rawMessage).toContain('already fully refunded');
    const got = await payments.getPayment({ paymentId: payment.id });
    expect(got.refunds.map((r) => r.amount?.amountMinor)).toEqual([300n, 700n]);
    expect(got.payment?.refunded?.amountMinor).toBe(1000n);
  });

  it('refuses more than is left and a different currency, changing nothing', async () => {
    const payment = await charged(1000n);
    await payments.refund({ paymentId: payment.id, amount: usd(500n), reason: 'r', idempotencyKey: key() });
    const over = await rpcError(payments.refund({ paymentId: payment.id, amount: usd(600n), reason: 'r', idempotencyKey: key() }));
    expect(over.code).toBe(Code.FailedPrecondition);
    expect(over.rawMessage).toBe('refund of 600 USD exceeds the 500 USD left');
    const euros = await rpcError(
      payments.refund({ paymentId: payment.id, amount: { amountMinor: 100n, currency: 'EUR' }, reason: 'r', idempotencyKey: key() }),
    );
    expect(euros.code).toBe(Code.FailedPrecondition);
    expect(euros.rawMessage).toContain('amount.currency: EUR does not match');
    const got = await payments.getPayment({ paymentId: payment.id });
    expect(got.payment?.refunded?.amountMinor).toBe(500n);
    expect(got.refunds).toHaveLength(1);
  });

  it('replays a refund for the same key with no second refund', async () => {
    const payment = await charged(1000n);
    const request = { paymentId: payment.id, amount: usd(250n), reason: 'r', idempotencyKey: key() };
    const first = await payments.refund(request);
    expect(await payments.refund(request)).toEqual(first);
    expect((await payments.getPayment({ paymentId: payment.id })).payment?.refunded?.amountMinor).toBe(250n);
  });

  it('never refunds more than the charge under concurrent calls', async () => {
    const payment = await charged(1000n);
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => payments.refund({ paymentId: payment.id, amount: usd(300n), reason: 'race', idempotencyKey: key() })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    for (const r of results.filter((r) => r.status === 'rejected')) {
      expect((r as PromiseRejectedResult).reason.code).toBe(Code.FailedPrecondition);
    }
    expect((await payments.getPayment({ paymentId: payment.id })).payment?.refunded?.amountMinor).toBe(900n);
    const [ledger] = await sql<{ refunded: string }>(
      `SELECT sum(r.amount_minor)::text AS refunded FROM provider_refunds r
         JOIN provider_charges c ON c.id = r.charge_id WHERE 'ch_' || c.id = $1`,
      [payment.providerChargeId],
    );
    expect(ledger?.refunded).toBe('900');
  });

  it('refuses to refund a declined payment', async () => {
    const request = chargeRequest('tok_declined');
    await rpcError(payments.charge(request));
    const [row] = await sql<{ id: string }>('SELECT id::text FROM payments WHERE order_id = $1', [request.orderId]);
    const error = await rpcError(payments.refund({ paymentId: row!.id, amount: usd(1n), reason: 'r', idempotencyKey: key() }));
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(error.rawMessage).toContain('was declined');
  });

  it('validates refunds and answers NOT_FOUND for an unknown payment', async () => {
    const invalid = await rpcError(payments.refund({ paymentId: 'abc', amount: usd(-1n), reason: 'r', idempotencyKey: key() }));
    expect(invalid.code).toBe(Code.InvalidArgument);
    expect(invalid.rawMessage).toContain('payment_id: must be a positive 64-bit integer');
    expect(invalid.rawMessage).toContain('amount.amount_minor:');
    const missing = await rpcError(payments.refund({ paymentId: '999999999', amount: usd(1n), reason: 'r', idempotencyKey: key() }));
    expect(missing.code).toBe(Code.NotFound);
    expect(missing.rawMessage).toContain('payment 999999999 not found');
  });
});

describe('refundOrder', () => {
  it('refunds what is left of every payment and fences off later charges', async () => {
    const orderId = newId();
    const a = await charged(1000n, orderId);
    const b = await charged(400n, orderId);
    await payments.refund({ paymentId: a.id, amount: usd(300n), reason: 'r', idempotencyKey: key() });
    const request = { orderId, reason: 'saga compensation', idempotencyKey: key() };
    const { refunds } = await payments.refundOrder(request);
    expect(refunds.map((r) => [r.paymentId, r.amount?.amountMinor, r.reason])).toEqual([
      [a.id, 700n, 'saga compensation'],
      [b.id, 400n, 'saga compensation'],
    ]);
    for (const id of [a.id, b.id]) {
      expect((await payments.getPayment({ paymentId: id })).payment?.status).toBe(PaymentStatus.REFUNDED);
    }
    expect((await payments.refundOrder(request)).refunds).toEqual(refunds);
    expect((await payments.refundOrder({ ...request, idempotencyKey: key() })).refunds).toEqual([]);

    const late = chargeRequest('tok_success', 100n, orderId);
    const error = await rpcError(payments.charge(late));
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(error.rawMessage).toBe(`order ${orderId} was cancelled; it cannot be charged`);
    expect(await providerCharge(late.idempotencyKey)).toBeUndefined();
  });

  it('is safe when nothing was charged, and still fences the order', async () => {
    const orderId = newId();
    const { refunds } = await payments.refundOrder({ orderId, reason: '', idempotencyKey: key() });
    expect(refunds).toEqual([]);
    const late = chargeRequest('tok_success', 100n, orderId);
    expect((await rpcError(payments.charge(late))).rawMessage).toContain('was cancelled');
    expect((await rpcError(payments.charge(late))).rawMessage).toContain('was cancelled');
    expect(await providerCharge(late.idempotencyKey)).toBeUndefined();
    expect((await rpcError(payments.refundOrder({ orderId: '', reason: '', idempotencyKey: key() }))).rawMessage).toContain('order_id:');
  });

  it('gives the money back at once when a charge races with RefundOrder', async () => {
    const orderId = newId();
    const request = chargeRequest('tok_flaky_1', 800n, orderId);
    // The first attempt fails, leaving the provider's ledger row that we can hold locked.
    expect((await rpcError(payments.charge(request))).code).toBe(Code.Unavailable);
    const lockWaiters = async () =>
      (await sql<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`))[0]!.n;

    const { error, cancelled } = await withClient(db.url, async (client) => {
      await client.query('BEGIN');
      await client.query('SELECT id FROM provider_charges WHERE key = $1 FOR UPDATE', [`charge:${request.idempotencyKey}`]);
      // The retry passes the fence check and waits inside the provider ...
      const charging = rpcError(payments.charge(request));
      await vi.waitFor(async () => expect(await lockWaiters()).toBe(1), { timeout: 5000 });
      // ... while the order is cancelled; then the provider approves.
      const cancelled = await payments.refundOrder({ orderId, reason: 'cancelled', idempotencyKey: key() });
      await client.query('COMMIT');
      return { error: await charging, cancelled };
    });

    expect(cancelled.refunds).toEqual([]);
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(error.rawMessage).toBe(`order ${orderId} was cancelled; it cannot be charged`);
    expect(await providerCharge(request.idempotencyKey)).toMatchObject({ status: 'APPROVED', refunded: '800' });
    const rows = await sql<{ status: string; refunded_minor: string }>(
      'SELECT status::text AS status, refunded_minor::text FROM payments WHERE order_id = $1',
      [orderId],
    );
    expect(rows).toEqual([{ status: 'REFUNDED', refunded_minor: '800' }]);
  });
});

describe('getPayment', () => {
  it('answers NOT_FOUND for an unknown id and INVALID_ARGUMENT for a malformed one', async () => {
    const missing = await rpcError(payments.getPayment({ paymentId: '9223372036854775807' }));
    expect(missing.code).toBe(Code.NotFound);
    expect(missing.rawMessage).toContain('payment 9223372036854775807 not found');
    for (const paymentId of ['', '0', '12x', '9223372036854775808']) {
      const malformed = await rpcError(payments.getPayment({ paymentId }));
      expect(malformed.code).toBe(Code.InvalidArgument);
      expect(malformed.rawMessage).toContain('payment_id:');
    }
  });
});

describe('provider faults', () => {
  async function startWith(settings: Record<string, string>) {
    const started = await startPaymentService({ ...testServiceEnv(db.url), ...settings });
    return { started, client: serviceClient(PaymentService, started.url) };
  }

  it('answers UNAVAILABLE when the provider is slower than the timeout; a retry finds the charge made once', async () => {
    const { started, client } = await startWith({ PAYMENT_PROVIDER_TIMEOUT_MS: '100', PAYMENT_PROVIDER_SLOW_MS: '500' });
    try {
      const request = chargeRequest('tok_slow');
      const error = await rpcError(client.charge(request));
      expect(error.code).toBe(Code.Unavailable);
      expect(error.rawMessage).toBe('payment provider unavailable: no answer within 100 ms');
      // The provider went on and charged; the retry gets that charge instead of a second one.
      await vi.waitFor(async () => expect(await providerCharge(request.idempotencyKey)).toMatchObject({ status: 'APPROVED' }), { timeout: 5000 });
      const { payment } = await client.charge(request);
      expect(payment?.status).toBe(PaymentStatus.SUCCEEDED);
      expect(await providerCharge(request.idempotencyKey)).toMatchObject({ attempts: 2 });
    } finally {
      await started.close();
    }
  });

  it('opens the circuit after consecutive failures (not declines) and closes it after half-open', async () => {
    const { started, client } = await startWith({ PAYMENT_BREAKER_THRESHOLD: '2', PAYMENT_BREAKER_HALF_OPEN_MS: '200' });
    const circuit = async () => /payment_provider_circuit_state\{app="payment-service"\} (\d)/.exec(await metrics(started))?.[1];
    try {
      for (let i = 0; i < 2; i++) expect((await rpcError(client.charge(chargeRequest('tok_declined')))).code).toBe(Code.FailedPrecondition);
      expect(await circuit()).toBe('0');

      for (let i = 0; i < 2; i++) {
        expect((await rpcError(client.charge(chargeRequest('tok_flaky_9')))).rawMessage).toContain('payment provider unavailable');
      }
      expect(await circuit()).toBe('1');
      const request = chargeRequest('tok_success');
      const open = await rpcError(client.charge(request));
      expect(open.code).toBe(Code.Unavailable);
      expect(open.rawMessage).toBe('payment provider circuit open');
      // It says when to come back: when the breaker lets a trial call through (within its 200 ms).
      const [retry] = open.findDetails(RetryInfoSchema);
      expect(durationMs(retry!.retryDelay!)).toBeGreaterThan(0);
      expect(durationMs(retry!.retryDelay!)).toBeLessThanOrEqual(200);
      expect(await providerCharge(request.idempotencyKey)).toBeUndefined();

      const { payment } = await vi.waitFor(() => client.charge(request), { timeout: 5000, interval: 50 });
      expect(payment?.status).toBe(PaymentStatus.SUCCEEDED);
      expect(await circuit()).toBe('0');
      expect(await providerCharge(request.idempotencyKey)).toMatchObject({ attempts: 1 });
    } finally {
      await started.close();
    }
  });
});
