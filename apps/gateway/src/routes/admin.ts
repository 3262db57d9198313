/**
 * Back-office operations (token with role "admin"): customers, products and
 * stock. Each is idempotent like the RPC behind it: the same key with the same
 * body returns the first result, with a different body 409.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { requireAdmin } from '../auth';
import type { GatewayDeps } from '../deps';
import { bearer, CreateCustomerBody, CreateProductBody, Customer, IdempotencyHeaders, Product, problemResponses, Sku, StockAdjustmentBody } from '../schemas';
import { customerView, productView } from '../views';

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
};
