/**
 * The gateway's HTTP SERVER span: one per request, child of the caller's
 * traceparent if any, active while Fastify runs the request so that the
 * routes' Connect calls and Temporal starts join the request's trace.
 */
import http from 'node:http';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';

const tracer = trace.getTracer('@oms/gateway');

/** An HTTP server whose requests each run inside their span (for Fastify's `serverFactory`). */
export function tracedHttpServer(handler: http.RequestListener): http.Server {
  return http.createServer((req, res) => {
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const span = tracer.startSpan(`${req.method}`, { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method } }, parent);
    const active = trace.setSpan(parent, span);
    res.once('close', () => {
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    // The body arrives in events of the connection, which was opened outside this span: bind them to it.
    context.with(active, () => handler(context.bind(active, req), context.bind(active, res)));
  });
}

/** Names each request's span by its route, e.g. `POST /v1/orders` (low cardinality, as the conventions want). */
export function nameRequestSpans(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    const route = request.routeOptions.url;
    const span = trace.getActiveSpan();
    span?.updateName(route ? `${request.method} ${route}` : request.method);
    if (route) span?.setAttribute('http.route', route);
  });
}
