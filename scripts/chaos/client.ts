/**
 * The chaos driver's HTTP client of the gateway, behaving as a careful real
 * client: a request that got no answer (gateway down, connection reset) or a
 * 5xx/429 is retried with the SAME Idempotency-Key until it is answered, so
 * the order behind it is placed exactly once.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { devJwtSecret, mintToken } from '@oms/platform/tokens';
import type { Plan } from './plan';

type Json = Record<string, unknown>;

export interface Answer {
  status: number;
  json: Json;
}

/**
 * The gateway answers an RPC that ended ABORTED with 409 "conflict" (the
 * design's "lost race", a transient fault) — and connect-node reports a
 * connection reset by a killed service as ABORTED. Retried like a 503, and
 * counted, as the report shows them.
 */
const abortedType = 'urn:oms:problem:conflict';

export class GatewayClient {
  /** Requests that were retried (no answer, 5xx, 429 or 409 conflict), for the report. */
  retries = 0;
  /** The 409 conflict answers among them, by detail. */
  readonly conflicts = new Map<string, number>();

  constructor(
    private readonly baseUrl: string,
    private readonly retryForMs = 120_000,
  ) {}

  static token(sub: string, admin = false): Promise<string> {
    return mintToken(process.env.GATEWAY_JWT_SECRET ?? devJwtSecret, { sub, roles: admin ? ['admin'] : [], ttl: '12h' });
  }

  /** One request, answered or not: a network error throws. */
  async request(method: string, path: string, token: string, body: unknown, idempotencyKey: string): Promise<Answer> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'idempotency-key': idempotencyKey, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      // A request stuck behind a fault is given up and sent again (same key).
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    return { status: res.status, json: text ? (JSON.parse(text) as Json) : {} };
  }

  /** POSTs until answered with `expected`; any other 4xx is a bug and throws at once. */
  async post(path: string, token: string, body: unknown, expected: number, idempotencyKey: string = randomUUID()): Promise<Json> {
    const deadline = Date.now() + this.retryForMs;
    let last = 'no attempt';
    for (let attempt = 1; ; attempt++) {
      try {
        const { status, json } = await this.request('POST', path, token, body, idempotencyKey);
        if (status === expected) return json;
        last = `HTTP ${status} ${JSON.stringify(json)}`;
        if (status === 409 && json.type === abortedType) this.conflicts.set(String(json.detail), (this.conflicts.get(String(json.detail)) ?? 0) + 1);
        else if (status < 500 && status !== 429) throw new Error(`POST ${path} (key ${idempotencyKey}): ${last}`);
      } catch (error) {
        if (error instanceof Error && error.message.startsWith(`POST ${path}`)) throw error;
        last = String((error as Error).cause ?? error);
      }
      if (Date.now() > deadline) throw new Error(`POST ${path} (key ${idempotencyKey}) not accepted within ${this.retryForMs} ms; last: ${last}`);
      this.retries++;
      await sleep(Math.min(2_000, 100 * 2 ** attempt));
    }
  }

  /** Customers and products through the admin API; returns each customer's id and token. */
  async seed(plan: Plan): Promise<{ id: string; token: string }[]> {
    const admin = await GatewayClient.token('chaos-admin', true);
    for (const p of plan.products) {
      await this.post(
        '/v1/admin/products',
        admin,
        { sku: p.sku, name: `Chaos ${p.sku}`, unitPrice: { amountMinor: String(p.priceMinor), currency: 'EUR' }, initialStock: p.stock },
        201,
      );
    }
    const customers = [];
    for (let i = 0; i < plan.customers; i++) {
      const { id } = (await this.post(
        '/v1/admin/customers',
        admin,
        {
          name: `Chaos Customer${i}`,
          email: `chaos${i}@example.com`,
          shippingAddress: { name: `Chaos Customer${i}`, line1: `${i} Fault Lane`, city: 'Berlin', postalCode: '10115', country: 'DE' },
        },
        201,
      )) as { id: string };
      customers.push({ id, token: await GatewayClient.token(id) });
    }
    return customers;
  }
}
