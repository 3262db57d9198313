/**
 * ListAllOrders and CountOrdersByStatus over several shards on real Postgres:
 * two live shards (clones of the template), plus, where a test says so, one
 * whose server is down and one that accepts connections and never answers.
 * The pages are newest first across shards, with nothing seen twice or
 * skipped, stable while orders arrive; the counts add up; a missing shard is
 * named with its reason while the others' orders are served.
 */
import net from 'node:net';
import { timestampDate, timestampFromDate } from '@bufbuild/protobuf/wkt';
import { Code, createClient, createRouterTransport, type Client } from '@connectrpc/connect';
import { OrderService, OrderStatus, type ListAllOrdersResponse } from '@oms/contracts/order/v1';
import { statuses, type StatusName } from '@oms/contracts/order-lifecycle';
import { pgAdapter, withClient } from '@oms/db';
import { freePort, validationInterceptor } from '@oms/platform';
import { cloneTemplate, fieldViolations, rpcError, type TestDatabase } from '@oms/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crossShardHandlers } from '../src/cross-shard';
import { PrismaClient } from '../src/generated/prisma/client';
import type { Shard } from '../src/shards/fan-out';
import { OrderStore } from '../src/store';

interface Placed {
  id: bigint;
  createdAt: Date;
  status: StatusName;
}

const databases: TestDatabase[] = [];
const clients: PrismaClient[] = [];
let live: Shard[];
let down: Shard;
let hanging: Shard;
let hangingServer: net.Server;
const hangingSockets = new Set<net.Socket>();
/** Every order on the live shards, as inserted. */
const placed: Placed[] = [];
const customers = new Map<string, bigint>();

function shard(id: number, url: string): Shard {
  const prisma = new PrismaClient({ adapter: pgAdapter(url, 2) });
  clients.push(prisma);
  return { id, name: `shard${id}`, store: new OrderStore(prisma) };
}

/** Orders (one item each) on the shard at `url`, created at the given times (now when absent). */
async function insertOrders(url: string, orders: { createdAt?: Date; status: StatusName }[]): Promise<Placed[]> {
  const rows = await withClient(url, async (c) => {
    const { rows } = await c.query<{ id: string; created_at: Date; status: StatusName }>(
      `WITH o AS (
         INSERT INTO orders (id, bucket, customer_id, status, total_minor, currency, notes, created_at)
         SELECT new_row_id(customer_bucket($1)), customer_bucket($1), $1, s, 1000, 'EUR', 'n', coalesce(t, now()) FROM unnest($2::timestamptz[], $3::order_status[]) AS u(t, s)
         RETURNING id, created_at, status
       ), i AS (
         INSERT INTO order_items (order_id, sku, name, quantity, unit_price_minor, line_total_minor) SELECT id, 'MUG', 'Mug', 1, 1000, 1000 FROM o
       )
       SELECT id, created_at, status FROM o`,
      [customers.get(url), orders.map((o) => o.createdAt ?? null), orders.map((o) => o.status)],
    );
    return rows;
  });
  const inserted = rows.map((r) => ({ id: BigInt(r.id), createdAt: r.created_at, status: r.status }));
  placed.push(...inserted);
  return inserted;
}

const newestFirst = (a: Placed, b: Placed) => b.createdAt.getTime() - a.createdAt.getTime() || (b.id > a.id ? 1 : -1);
const ids = (orders: { id: bigint | string }[]) => orders.map((o) => o.id.toString());

function service(shards: Shard[], timeoutMs = 5000): Client<typeof OrderService> {
  const transport = createRouterTransport(
    (router) =>
      router.service(
        OrderService,
        crossShardHandlers(() => shards, timeoutMs),
      ),
    {
      router: { interceptors: [validationInterceptor()] },
    },
  );
  return createClient(OrderService, transport);
}

/** Every page, following next_page_token to the end. */
async function allPages(client: Client<typeof OrderService>, request: { status?: OrderStatus; pageSize: number }): Promise<ListAllOrdersResponse[]> {
  const pages: ListAllOrdersResponse[] = [];
  let pageToken = '';
  do {
    const page = await client.listAllOrders({ ...request, pageToken });
    pages.push(page);
    pageToken = page.nextPageToken;
  } while (pageToken !== '' && pages.length < 100);
  return pages;
}

beforeAll(async () => {
  for (let i = 0; i < 2; i++) databases.push(await cloneTemplate('oms_order'));
  for (const [bucket, { url }] of databases.entries()) {
    const { rows } = await withClient(url, (c) =>
      c.query<{ id: string }>(
        `WITH owned AS (INSERT INTO owned_buckets (bucket, map_version) VALUES ($1, 1))
         INSERT INTO customers (id, bucket, first_name, email) VALUES (new_row_id($1::smallint), $1, 'Ada', 'ada@example.com') RETURNING id`,
        [bucket],
      ),
    );
    customers.set(url, BigInt(rows[0]!.id));
  }
  live = databases.map((db, i) => shard(i, db.url));

  // Interleaved in time; every third second both shards have an order at the same instant, and
  // shard 0 has pairs at the same instant: the id breaks those ties.
  const start = Date.parse('2026-11-01T00:00:00.000Z');
  const at = (ms: number, i: number) => ({ createdAt: new Date(start + ms), status: statuses[i % statuses.length]! });
  await insertOrders(databases[0]!.url, [...Array.from({ length: 30 }, (_, i) => at(i * 1000, i)), at(5000, 3), at(5000, 4)]);
  await insertOrders(
    databases[1]!.url,
    Array.from({ length: 20 }, (_, i) => at(i * 1500, i + 1)),
  );

  down = shard(2, `postgres://postgres@127.0.0.1:${await freePort()}/nowhere`);
  hangingServer = net.createServer((socket) => void hangingSockets.add(socket));
  await new Promise<void>((resolve) => hangingServer.listen(0, '127.0.0.1', resolve));
  // Connected before the tests that time shards out, so that a live shard's first connection is not what they time.
  await service(live).countOrdersByStatus({});
  hanging = shard(3, `postgres://postgres@127.0.0.1:${(hangingServer.address() as net.AddressInfo).port}/silent`);
});

afterAll(async () => {
  // Ends the connections the silent shard kept waiting, so its client can disconnect.
  for (const socket of hangingSockets) socket.destroy();
  await new Promise((resolve) => hangingServer?.close(resolve));
  await Promise.all(clients.map((c) => c.$disconnect()));
  await Promise.all(databases.map((db) => db.drop()));
});

describe('ListAllOrders across shards', () => {
  it('pages newest first across the shards, each order once, none skipped, with no token after the last', async () => {
    const pages = await allPages(service(live), { pageSize: 7 });
    expect(ids(pages.flatMap((p) => p.orders))).toEqual(ids([...placed].sort(newestFirst)));
    expect(pages.map((p) => p.orders.length)).toEqual([7, 7, 7, 7, 7, 7, 7, 3]);
    expect(pages.every((p) => p.missingShards.length === 0)).toBe(true);
    // Orders come with their items, as ListOrders' do.
    expect(pages[0]!.orders[0]!.items).toMatchObject([{ sku: 'MUG', quantity: 1, unitPrice: { amountMinor: 1000n, currency: 'EUR' } }]);
  });

  it('ends without a token when the last page is exactly full', async () => {
    const pages = await allPages(service(live), { pageSize: 52 });
    expect(pages.map((p) => [p.orders.length, p.nextPageToken])).toEqual([[52, '']]);
  });

  it('filters by status on every shard', async () => {
    const pages = await allPages(service(live), { status: OrderStatus.PAID, pageSize: 2 });
    const paid = placed.filter((o) => o.status === 'PAID').sort(newestFirst);
    expect(paid.length).toBeGreaterThan(4);
    expect(ids(pages.flatMap((p) => p.orders))).toEqual(ids(paid));
  });

  it('keeps the pages stable while orders arrive: every order there before the first page is seen once, in order', async () => {
    const before = [...placed].sort(newestFirst);
    const client = service(live);
    const seen: string[] = [];
    let pageToken = '';
    do {
      const page = await client.listAllOrders({ pageSize: 5, pageToken });
      seen.push(...ids(page.orders));
      pageToken = page.nextPageToken;
      // New orders on both shards between the pages.
      await insertOrders(databases[0]!.url, [{ status: 'PENDING' }]);
      await insertOrders(databases[1]!.url, [{ status: 'PENDING' }, { status: 'VALIDATED' }]);
    } while (pageToken !== '');
    expect(seen).toEqual(ids(before));
  });

  it('refuses a page size over 100 and a page token it did not make', async () => {
    const client = service(live);
    expect(fieldViolations(await rpcError(client.listAllOrders({ pageSize: 101 })))).toEqual(['page_size']);
    expect(fieldViolations(await rpcError(client.listAllOrders({ status: 42 as OrderStatus })))).toEqual(['status']);
    expect(fieldViolations(await rpcError(client.listAllOrders({ pageToken: 'bm90IGEgY3Vyc29y' })))).toEqual(['page_token']);
  });
});

describe('ListPendingOrders across shards (the orphan reconciler’s candidates)', () => {
  const createdBefore = new Date(Date.parse('2026-11-01T00:00:25.000Z'));
  const pending = () => placed.filter((o) => o.status === 'PENDING' && o.createdAt < createdBefore).sort((a, b) => newestFirst(b, a));

  beforeAll(async () => {
    // Some candidates were placed with a token; the others (older code, tests) without.
    for (const { url } of databases) {
      await withClient(url, (c) => c.query(`UPDATE orders SET payment_token = 'tok_' || id WHERE status = 'PENDING' AND id % 2 = 0`));
    }
  });

  it('pages the PENDING orders created before the time, oldest first, each once, with its payment token', async () => {
    const client = service(live);
    const seen: { orderId: string; paymentToken: string; createdAt: Date }[] = [];
    let pageToken = '';
    let pages = 0;
    do {
      const page = await client.listPendingOrders({ createdBefore: timestampFromDate(createdBefore), pageSize: 2, pageToken });
      expect(page.missingShards).toEqual([]);
      seen.push(...page.orders.map((o) => ({ orderId: o.orderId, paymentToken: o.paymentToken, createdAt: timestampDate(o.createdAt!) })));
      pageToken = page.nextPageToken;
      pages++;
    } while (pageToken !== '' && pages < 100);
    const expected = pending();
    // More than a page, and some PENDING orders are too young to be candidates.
    expect(expected.length).toBeGreaterThan(2);
    expect(placed.filter((o) => o.status === 'PENDING').length).toBeGreaterThan(expected.length);
    expect(seen.map((o) => o.orderId)).toEqual(ids(expected));
    expect(seen.map((o) => o.paymentToken)).toEqual(expected.map((o) => (o.id % 2n === 0n ? `tok_${o.id}` : '')));
    expect(seen.map((o) => o.createdAt)).toEqual(expected.map((o) => o.createdAt));
  });

  it('names a shard that did not answer, and serves the others', async () => {
    const page = await service([live[0]!, down, live[1]!], 2000).listPendingOrders({ createdBefore: timestampFromDate(createdBefore), pageSize: 100 });
    expect(page.orders.map((o) => o.orderId)).toEqual(ids(pending()));
    expect(page.missingShards.map((m) => m.shard)).toEqual([2]);
  });

  it('refuses a request without a time, a page size over 100 and a page token it did not make', async () => {
    const client = service(live);
    const at = timestampFromDate(createdBefore);
    expect(fieldViolations(await rpcError(client.listPendingOrders({})))).toEqual(['created_before']);
    expect(fieldViolations(await rpcError(client.listPendingOrders({ createdBefore: at, pageSize: 101 })))).toEqual(['page_size']);
    expect(fieldViolations(await rpcError(client.listPendingOrders({ createdBefore: at, pageToken: 'bm90IGEgY3Vyc29y' })))).toEqual(['page_token']);
  });
});

describe('CountOrdersByStatus across shards', () => {
  it('adds up the shards’ counts by status, and the total', async () => {
    const answer = await service(live).countOrdersByStatus({});
    const expected = statuses
      .map((status) => ({ status: OrderStatus[status], count: BigInt(placed.filter((o) => o.status === status).length) }))
      .filter((c) => c.count > 0n);
    expect(answer.counts.map(({ status, count }) => ({ status, count }))).toEqual(expected);
    expect(answer.total).toBe(BigInt(placed.length));
    expect(answer.missingShards).toEqual([]);
  });
});

describe('a shard that is down or does not answer', () => {
  // The silent shard costs this much per call; the live ones, warmed up, answer well within it even on a busy machine.
  const patience = 2000;

  it('is named in missing_shards with why, and the pages hold every other shard’s orders, in order', async () => {
    const pages = await allPages(service([live[0]!, down, hanging, live[1]!], patience), { pageSize: 30 });
    expect(ids(pages.flatMap((p) => p.orders))).toEqual(ids([...placed].sort(newestFirst)));
    for (const page of pages) {
      expect(page.missingShards.map(({ shard, reason }) => ({ shard, reason }))).toEqual([
        { shard: 2, reason: expect.stringMatching(/ECONNREFUSED|reach|refused/i) },
        { shard: 3, reason: `no answer in ${patience} ms` },
      ]);
    }
  });

  it('leaves those shards out of the counts, and says so', async () => {
    const answer = await service([down, ...live, hanging], patience).countOrdersByStatus({});
    expect(answer.total).toBe(BigInt(placed.length));
    expect(answer.missingShards.map((m) => m.shard)).toEqual([2, 3]);
  });

  it('answers UNAVAILABLE, naming each shard, when no shard answers', async () => {
    const error = await rpcError(service([down, hanging], patience).countOrdersByStatus({}));
    expect(error.code).toBe(Code.Unavailable);
    expect(error.rawMessage).toMatch(/^no shard answered: shard 2 \(shard2\): .+; shard 3 \(shard3\): no answer in 2000 ms$/);
  });
});
