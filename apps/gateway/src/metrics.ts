/** Prometheus metrics per route: request count by status, and duration. */
import type { FastifyInstance } from 'fastify';
import { requestMetrics } from '@oms/platform';
import type { Registry } from 'prom-client';

export function registerRouteMetrics(app: FastifyInstance, registry: Registry): void {
  const observe = requestMetrics(registry, { requests: 'http_requests_total', duration: 'http_request_duration_seconds', what: 'HTTP requests' }, [
    'method',
    'route',
    'status',
  ]);
  app.addHook('onResponse', async (request, reply) => {
    // The route's pattern, not the URL, so ids do not explode the label set.
    observe({ method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', { schema: { hide: true }, config: { rateLimit: false } }, async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
}
