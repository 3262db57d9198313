/**
 * Back-office operations (token with role "admin"): customers, products and
 * stock. Each is idempotent like the RPC behind it: the same key with the same
 * body returns the first result, with a different body 409. And the views
 * over every customer's orders, from all shards: a shard that does not answer
 * in time is left out and named (missingShards), the answer still 200.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { OrderStatus } from '@oms/contracts/order/v1';
import { Type } from '@sinclair/typebox';
import { requireAdmin } from '../auth';
import type { GatewayDeps } from '../deps';
import {
  AllOrdersPage,
  AllOrdersQuery,
  bearer,
  CreateCustomerBody,
  CreateProductBody,
  Customer,
  IdempotencyHeaders,
  OrderCounts,
  Product,
  problemResponses,
  Sku,
  StockAdjustmentBody,
} from '../schemas';
import { allOrdersView, customerView, orderCountsView, productView } from '../views';

const tags = ['admin'];
const OptionalIdempotencyHeaders = Type.Partial(IdempotencyHeaders);

export const adminRoutes: FastifyPluginAsyncTypebox<{ deps: GatewayDeps }> = async (app, { deps }) => {
  app.addHook('preValidation', requireAdmin);

  app.post(
    '/v1/admin/customers',
    {
      schema: {
        tags,
        summary: 'Create a customer',
        security: bearer,
        headers: IdempotencyHeaders,
        body: CreateCustomerBody,
        response: { 201: Customer, ...problemResponses(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const { customer } = await deps.orders.createCustomer({ ...request.body, idempotencyKey: request.headers['idempotency-key'] });
      return reply.code(201).send(customerView(customer!));
    },
  );

  app.post(
    '/v1/admin/products',
    {
      schema: {
        tags,
        summary: 'Create a product with its price and initial stock',
        description: 'Idempotency-Key is optional: a product is naturally keyed by its sku.',
        security: bearer,
        headers: OptionalIdempotencyHeaders,
        body: CreateProductBody,
        response: { 201: Product, ...problemResponses(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const { sku, name, unitPrice, initialStock } = request.body;
      const { product } = await deps.inventory.createProduct({
        sku,
        name,
        unitPrice: { amountMinor: BigInt(unitPrice.amountMinor), currency: unitPrice.currency },
        initialStock,
        idempotencyKey: request.headers['idempotency-key'] ?? `gateway:create-product:${sku}`,
      });
      return reply.code(201).send(productView(product!));
    },
  );

  app.post(
    '/v1/admin/products/:sku/stock-adjustments',
    {
      schema: {
        tags,
        summary: "Add (or, with a negative delta, remove) a product's available units",
        security: bearer,
        headers: IdempotencyHeaders,
        params: Type.Object({ sku: Sku }),
        body: StockAdjustmentBody,
        response: { 200: Product, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const { product } = await deps.inventory.adjustStock({
        sku: request.params.sku,
        ...request.body,
        idempotencyKey: request.headers['idempotency-key'],
      });
      return productView(product!);
    },
  );

  app.get(
    '/v1/admin/orders',
    {
      schema: {
        tags,
        summary: "Every customer's orders, newest first, from all shards",
        description:
          'A shard that does not answer in time is left out: the answer is still 200, names it in missingShards, and its page is in order. ' +
          '503 when no shard answers.',
        security: bearer,
        querystring: AllOrdersQuery,
        response: { 200: AllOrdersPage, ...problemResponses(400, 401, 403, 503) },
      },
    },
    async (request) => {
      const { status, pageSize, pageToken } = request.query;
      const page = await deps.orders.listAllOrders({
        status: status ? OrderStatus[status] : OrderStatus.UNSPECIFIED,
        pageSize: pageSize ? Number(pageSize) : 0,
        pageToken: pageToken ?? '',
      });
      return allOrdersView(page);
    },
  );

  app.get(
    '/v1/admin/orders/counts',
    {
      schema: {
        tags,
        summary: 'How many orders there are in each status, over all shards',
        description: 'A shard that does not answer in time is not counted: the answer is still 200 and names it in missingShards. 503 when no shard answers.',
        security: bearer,
        response: { 200: OrderCounts, ...problemResponses(401, 403, 503) },
      },
    },
    async () => orderCountsView(await deps.orders.countOrdersByStatus({})),
  );
};
