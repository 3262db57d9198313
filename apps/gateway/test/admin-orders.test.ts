/**
 * The back office's views over every shard, GET /v1/admin/orders and
 * /v1/admin/orders/counts: admins only, the answers mapped to JSON, a partial
 * answer (shards missing) a 200 that names them, none at all a 503. The
 * gateway runs in-process in front of an order-service stand-in over Connect
 * that answers what each test needs (test/requests.test.ts calls the real one).
 */
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError, createClient, createRouterTransport, type ServiceImpl } from '@connectrpc/connect';
import {
  CountOrdersByStatusResponseSchema,
  ListAllOrdersResponseSchema,
  OrderSchema,
  OrderService,
  OrderStatus,
  type ListAllOrdersRequest,
} from '@oms/contracts/order/v1';
import { createLogger, createRegistry } from '@oms/platform';
import { mintToken } from '@oms/platform/tokens';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app';
import type { GatewayDeps } from '../src/deps';

const jwtSecret = 'test-gateway-jwt-secret-0123456789abcdef';
type CrossShard = Pick<ServiceImpl<typeof OrderService>, 'listAllOrders' | 'countOrdersByStatus'>;

let app: FastifyInstance;
let adminToken: string;
let customerToken: string;
/** What the stand-in answers, and the requests it was sent. */
let answers: CrossShard;
let received: ListAllOrdersRequest[];

const order = create(OrderSchema, {
  id: '42',
  customerId: '7',
  status: OrderStatus.PAID,
  total: { amountMinor: 1500n, currency: 'EUR' },
  createdAt: timestampFromDate(new Date('2026-11-01T10:00:00.000Z')),
  updatedAt: timestampFromDate(new Date('2026-11-01T10:05:00.000Z')),
});
const silent = { shard: 2, reason: 'no answer in 2000 ms' };

beforeAll(async () => {
  const orders = createClient(
    OrderService,
    createRouterTransport((router) =>
      router.service(OrderService, {
        listAllOrders: (req, context) => (received.push(req), answers.listAllOrders(req, context)),
        countOrdersByStatus: (req, context) => answers.countOrdersByStatus(req, context),
      }),
    ),
  );
  app = await buildApp({
    logger: createLogger('gateway', 'silent'),
    registry: createRegistry('gateway'),
    orders,
    jwtSecret,
    carrierSecret: 'test-carrier-webhook-secret',
    rateLimitPerMinute: 1000,
    deliveryTimeoutMs: 60_000,
    taskQueue: 'unused',
    // Not used by these routes.
    inventory: {},
    health: {},
    temporal: {},
  } as GatewayDeps);
  adminToken = await mintToken(jwtSecret, { sub: '1', roles: ['admin'] });
  customerToken = await mintToken(jwtSecret, { sub: '7' });
});

afterAll(async () => {
  await app?.close();
});

beforeEach(() => {
  received = [];
  answers = {
    listAllOrders: () => create(ListAllOrdersResponseSchema, { orders: [order], nextPageToken: 'next-token' }),
    countOrdersByStatus: () =>
      create(CountOrdersByStatusResponseSchema, {
        counts: [
          { status: OrderStatus.PENDING, count: 3n },
          { status: OrderStatus.PAID, count: 5n },
        ],
        total: 8n,
      }),
  };
});

const get = async (url: string, token?: string) => {
  const res = await app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.statusCode, body: res.json() };
};

describe('who may read every order', () => {
  it.each(['/v1/admin/orders', '/v1/admin/orders/counts'])('%s: 401 without a token, 403 for a customer', async (url) => {
    expect(await get(url)).toMatchObject({ status: 401, body: { type: 'urn:oms:problem:unauthorized' } });
    expect(await get(url, customerToken)).toMatchObject({ status: 403, body: { type: 'urn:oms:problem:forbidden' } });
    expect(received).toEqual([]);
  });
});

describe('GET /v1/admin/orders', () => {
  it('passes status, page size and token on, and answers the page as JSON', async () => {
    const res = await get('/v1/admin/orders?status=PAID&pageSize=5&pageToken=abc', adminToken);
    expect(received.map(({ status, pageSize, pageToken }) => ({ status, pageSize, pageToken }))).toEqual([
      { status: OrderStatus.PAID, pageSize: 5, pageToken: 'abc' },
    ]);
    expect(res).toEqual({
      status: 200,
      body: {
        orders: [
          {
            id: '42',
            customerId: '7',
            status: 'PAID',
            items: [],
            total: { amountMinor: '1500', currency: 'EUR' },
            createdAt: '2026-11-01T10:00:00.000Z',
            updatedAt: '2026-11-01T10:05:00.000Z',
            history: [],
          },
        ],
        nextPageToken: 'next-token',
        missingShards: [],
      },
    });
  });

  it('asks for the defaults without a query, and says null after the last page', async () => {
    answers.listAllOrders = () => create(ListAllOrdersResponseSchema, {});
    expect(await get('/v1/admin/orders', adminToken)).toEqual({ status: 200, body: { orders: [], nextPageToken: null, missingShards: [] } });
    expect(received.map(({ status, pageSize, pageToken }) => ({ status, pageSize, pageToken }))).toEqual([
      { status: OrderStatus.UNSPECIFIED, pageSize: 0, pageToken: '' },
    ]);
  });

  it('answers a partial page with 200, naming the missing shards', async () => {
    answers.listAllOrders = () => create(ListAllOrdersResponseSchema, { orders: [order], missingShards: [silent] });
    const res = await get('/v1/admin/orders', adminToken);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ orders: [{ id: '42' }], nextPageToken: null, missingShards: [silent] });
  });

  it('answers 503 when no shard answered', async () => {
    answers.listAllOrders = () => {
      throw new ConnectError('no shard answered: shard 0 (db0): no answer in 2000 ms', Code.Unavailable);
    };
    expect(await get('/v1/admin/orders', adminToken)).toMatchObject({ status: 503, body: { type: 'urn:oms:problem:unavailable' } });
  });

  it('refuses a bad query with 400 naming the field, without asking order-service', async () => {
    for (const query of ['pageSize=0', 'pageSize=101', 'status=LOST', 'limit=5']) {
      expect(await get(`/v1/admin/orders?${query}`, adminToken), query).toMatchObject({ status: 400 });
    }
    expect(received).toEqual([]);
  });
});

describe('GET /v1/admin/orders/counts', () => {
  it('answers the counts by status and the total as JSON numbers', async () => {
    expect(await get('/v1/admin/orders/counts', adminToken)).toEqual({
      status: 200,
      body: {
        counts: [
          { status: 'PENDING', count: 3 },
          { status: 'PAID', count: 5 },
        ],
        total: 8,
        missingShards: [],
      },
    });
  });

  it('answers a partial count with 200, naming the missing shards', async () => {
    answers.countOrdersByStatus = () =>
      create(CountOrdersByStatusResponseSchema, { counts: [{ status: OrderStatus.PENDING, count: 3n }], total: 3n, missingShards: [silent] });
    expect(await get('/v1/admin/orders/counts', adminToken)).toEqual({
      status: 200,
      body: { counts: [{ status: 'PENDING', count: 3 }], total: 3, missingShards: [silent] },
    });
  });
});

describe('the OpenAPI document', () => {
  it('describes both routes, their partial answers and the missing shards', async () => {
    const spec = (await get('/docs/json')).body;
    const list = spec.paths['/v1/admin/orders'].get;
    expect(list.parameters.map((p: { name: string }) => p.name)).toEqual(['status', 'pageSize', 'pageToken']);
    expect(list.responses['200'].description).toMatch(/partial/i);
    expect(list.responses['200'].content['application/json'].schema.properties.missingShards.items.properties).toMatchObject({
      shard: { type: 'integer' },
      reason: { type: 'string' },
    });
    expect(spec.paths['/v1/admin/orders/counts'].get.responses['200'].description).toMatch(/partial/i);
  });
});
