/**
 * A customer's orders: place one (order-service CreateOrder, then the
 * OrderWorkflow on Temporal), read it, list them, follow its saga, cancel it,
 * amend it when the stock is short.
 * A customer sees only their own orders; another's answers 404, as if it did
 * not exist. Admins may read any order.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { OrderStatus } from '@oms/contracts/order/v1';
import { amendOrderUpdate, businessErrors, cancelOrderUpdate, cancelRefused, orderWorkflowId, orderWorkflowStart, statusQuery } from '@oms/contracts/workflows';
import { ApplicationFailure, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { FastifyRequest } from 'fastify';
import { caller, isAdmin, requireCaller } from '../auth';
import type { GatewayDeps } from '../deps';
import { conflict, notFound, unavailable } from '../problems';
import {
  Accepted,
  AmendBody,
  bearer,
  CancelBody,
  CreateOrderBody,
  IdempotencyHeaders,
  IdParams,
  ListOrdersQuery,
  Order,
  OrderAccepted,
  OrderPage,
  problemResponses,
  Progress,
} from '../schemas';
import { orderView, statusName } from '../views';

const tags = ['orders'];

// How long a cancel waits for the workflow to accept or refuse it (its worker may be down): then 503.
const cancelDeadlineMs = 10_000;

/** The statuses an order ends in: its workflow has closed. */
const ended = new Set([OrderStatus.COMPLETED, OrderStatus.DELIVERED, OrderStatus.CANCELLED]);

export const orderRoutes: FastifyPluginAsyncTypebox<{ deps: GatewayDeps }> = async (app, { deps }) => {
  const { orders, temporal, taskQueue } = deps;

  /** The order if the caller may see it; 404 otherwise (never 403: that would confirm it exists). */
  async function visibleOrder(request: FastifyRequest, orderId: string) {
    // An unknown order is NOT_FOUND from order-service, which answers 404 too.
    const { order } = await orders.getOrder({ orderId });
    if (!order || (order.customerId !== caller(request).sub && !isAdmin(request))) throw notFound(`order ${orderId} not found`);
    return order;
  }

  app.post(
    '/v1/orders',
    {
      preValidation: requireCaller,
      schema: {
        tags,
        summary: 'Place an order; its saga runs in the background',
        security: bearer,
        headers: IdempotencyHeaders,
        body: CreateOrderBody,
        response: { 202: OrderAccepted, ...problemResponses(400, 401, 404, 409, 413, 429, 503) },
      },
    },
    async (request, reply) => {
      const { paymentToken } = request.body;
      const { order } = await orders.createOrder({
        customerId: caller(request).sub,
        lines: request.body.lines,
        // Kept with the order: if this process dies before the start below, the orphan reconciler starts the saga with it.
        paymentToken,
        // Scoped to the caller: two customers may well pick the same key.
        idempotencyKey: `${caller(request).sub}:${request.headers['idempotency-key']}`,
      });
      const orderId = order!.id;
      // Test-only: the crash between the two writes that the orphan reconciler repairs.
      if (deps.crashAfterCreateOrder) process.kill(process.pid, 'SIGKILL');
      try {
        // A replayed request must never run the saga a second time, even after the first run closed (REJECT_DUPLICATE).
        await temporal.workflow.start(
          'OrderWorkflow',
          orderWorkflowStart(taskQueue, { orderId, paymentToken, deliveryTimeoutMs: deps.deliveryTimeoutMs, awaitCustomerMs: deps.awaitCustomerMs }),
        );
      } catch (error) {
        // The same Idempotency-Key again: the order's workflow was started by the first request (or by the orphan reconciler).
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      }
      return reply.code(202).send({
        orderId,
        status: statusName(order!.status),
        statusUrl: `/v1/orders/${orderId}`,
        progressUrl: `/v1/orders/${orderId}/progress`,
      });
    },
  );

  app.get(
    '/v1/orders',
    {
      preValidation: requireCaller,
      schema: {
        tags,
        summary: "The caller's orders, newest first",
        security: bearer,
        querystring: ListOrdersQuery,
        response: { 200: OrderPage, ...problemResponses(400, 401) },
      },
    },
    async (request) => {
      const { status, limit, cursor } = request.query;
      const page = await orders.listOrders({
        customerId: caller(request).sub,
        status: status ? OrderStatus[status] : OrderStatus.UNSPECIFIED,
        pageSize: limit ? Number(limit) : 0,
        pageToken: cursor ?? '',
      });
      return { orders: page.orders.map(orderView), nextCursor: page.nextPageToken || null };
    },
  );

  app.get(
    '/v1/orders/:id',
    {
      preValidation: requireCaller,
      schema: {
        tags,
        summary: 'An order with its items and status history',
        security: bearer,
        params: IdParams,
        response: { 200: Order, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) => orderView(await visibleOrder(request, request.params.id)),
  );

  app.get(
    '/v1/orders/:id/progress',
    {
      preValidation: requireCaller,
      schema: {
        tags,
        summary: "Where the order's saga is",
        security: bearer,
        params: IdParams,
        response: { 200: Progress, ...problemResponses(400, 401, 404, 503) },
      },
    },
    async (request) => {
      await visibleOrder(request, request.params.id);
      return temporal.workflow.getHandle(orderWorkflowId(request.params.id)).query(statusQuery);
    },
  );

  app.post(
    '/v1/orders/:id/cancel',
    {
      // A cancel needs no body; an empty one means "no reason given".
      preValidation: [requireCaller, async (request) => void (request.body ??= {})],
      schema: {
        tags,
        summary:
          'Cancel an order whose shipping is not arranged yet: 202 once its saga has accepted (it then undoes what was done), 409 with the reason if refused',
        security: bearer,
        params: IdParams,
        body: CancelBody,
        response: { 202: Accepted, ...problemResponses(400, 401, 404, 409, 503) },
      },
    },
    async (request, reply) => {
      const orderId = request.params.id;
      await visibleOrder(request, orderId);
      // One step, no query first: the workflow's validator decides against its own state, so a 202
      // means the order will end CANCELLED. After a 503 the cancel may still be carried out; a retry
      // is harmless (accepted again while the order is being cancelled).
      const handle = temporal.workflow.getHandle(orderWorkflowId(orderId));
      try {
        await temporal.withDeadline(Date.now() + cancelDeadlineMs, () => handle.executeUpdate(cancelOrderUpdate, { args: [{ reason: request.body.reason }] }));
      } catch (error) {
        const refusal = error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure && error.cause.type === cancelRefused;
        if (refusal) throw conflict(error.cause.message);
        if (!(error instanceof WorkflowNotFoundError)) throw error;
        // The workflow has closed: say how the order ended.
        const { order } = await orders.getOrder({ orderId });
        if (order && ended.has(order.status)) throw conflict(`order ${orderId} has already ended: ${statusName(order.status)}`);
        throw error;
      }
      return reply.code(202).send({ accepted: true });
    },
  );

  app.post(
    '/v1/orders/:id/amend',
    {
      preValidation: requireCaller,
      schema: {
        tags,
        summary: 'Amend an order waiting for the customer (stock short): fewer units, fewer lines; the saga goes on with the new total',
        description:
          'Answers the order as GET shows it once amended. 409 with the reason when the order is not waiting, or the lines do not fit the order or the stock now.',
        security: bearer,
        params: IdParams,
        body: AmendBody,
        response: { 200: Order, ...problemResponses(400, 401, 404, 409, 503) },
      },
    },
    async (request) => {
      const orderId = request.params.id;
      await visibleOrder(request, orderId);
      await temporal.workflow
        .getHandle(orderWorkflowId(orderId))
        .executeUpdate(amendOrderUpdate, { args: [{ lines: request.body.lines }] })
        .catch((error: unknown) => {
          // The workflow's refusal (its validator's or handler's) is written for the customer.
          const cause = error instanceof WorkflowUpdateFailedError ? error.cause : undefined;
          if (cause instanceof ApplicationFailure && cause.type === businessErrors.amendRefused) throw conflict(cause.message);
          if (error instanceof WorkflowUpdateFailedError) throw unavailable('the order could not be amended now; retry later');
          // The order is there but its saga is over.
          throw error instanceof WorkflowNotFoundError ? conflict('the order is not waiting for an amendment') : error;
        });
      return orderView(await visibleOrder(request, orderId));
    },
  );
};
