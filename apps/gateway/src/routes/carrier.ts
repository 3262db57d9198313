/**
 * The carrier's delivery webhook. The carrier signs the raw body with a
 * shared secret (X-Carrier-Signature: sha256=<hex HMAC-SHA256>); the
 * signature is checked before anything else looks at the body, and a bad one
 * changes nothing. A good one signals the order's tracking workflow.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { orderDeliveredSignal, trackingWorkflowId } from '@oms/contracts/workflows';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyRequest } from 'fastify';
import type { GatewayDeps } from '../deps';
import { notFound, unauthorized } from '../problems';
import { Accepted, DeliveryBody, problemResponses } from '../schemas';

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: Buffer;
  }
}

export function sign(secret: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

function signatureMatches(secret: string, body: Buffer, header: string | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(sign(secret, body));
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Registered in its own encapsulated context, so only this route keeps the raw body. */
export const carrierRoutes: FastifyPluginAsyncTypebox<{ deps: GatewayDeps }> = async (app, { deps }) => {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request: FastifyRequest, raw: Buffer, done) => {
    request.rawBody = raw;
    parseJson(request, raw.toString('utf8'), done);
  });

  app.post(
    '/v1/carrier/deliveries',
    {
      preValidation: async (request) => {
        const header = request.headers['x-carrier-signature'];
        if (!signatureMatches(deps.carrierSecret, request.rawBody ?? Buffer.alloc(0), typeof header === 'string' ? header : undefined)) {
          throw unauthorized('X-Carrier-Signature is missing or does not match the body');
        }
      },
      schema: {
        tags: ['carrier'],
        summary: "The carrier's webhook: an order was delivered",
        description: 'Signed: header X-Carrier-Signature = "sha256=" + hex HMAC-SHA256 of the raw body with the shared secret.',
        headers: { type: 'object', properties: { 'x-carrier-signature': { type: 'string' } }, required: ['x-carrier-signature'] },
        body: DeliveryBody,
        response: { 202: Accepted, ...problemResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const { orderId } = request.body;
      try {
        await deps.temporal.workflow.getHandle(trackingWorkflowId(orderId)).signal(orderDeliveredSignal);
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) throw notFound(`order ${orderId} is not being tracked`);
        throw error;
      }
      return reply.code(202).send({ accepted: true });
    },
  );
};
