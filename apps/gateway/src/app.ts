/**
 * The gateway's HTTP server: Fastify with OpenAPI (generated from the route
 * schemas) at /docs, rate limiting per caller, Prometheus /metrics, problem
 * responses for every error, and the routes.
 */
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { registerAuthentication } from './auth';
import type { GatewayDeps } from './deps';
import { registerRouteMetrics } from './metrics';
import { registerProblemHandlers } from './problems';
import { adminRoutes } from './routes/admin';
import { carrierRoutes } from './routes/carrier';
import { healthRoutes } from './routes/health';
import { orderRoutes } from './routes/orders';
import { reshardRoutes } from './routes/reshards';
import { nameRequestSpans, tracedHttpServer } from './tracing';

const bodyLimit = 64 * 1024;

export async function buildApp(deps: GatewayDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // The platform's pino logger (same JSON as every app); typed as Fastify's narrower logger interface.
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit,
    serverFactory: tracedHttpServer,
    ajv: {
      customOptions: {
        // Reject what the schemas do not allow instead of quietly fixing it:
        // unknown fields stay (and fail additionalProperties), "3" is not a number.
        removeAdditional: false,
        coerceTypes: false,
        // Name every bad field at once; bodies are small (bodyLimit) and arrays bounded, so this is cheap.
        allErrors: true,
      },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  nameRequestSpans(app);
  registerProblemHandlers(app);
  registerAuthentication(app, deps.jwtSecret);
  registerRouteMetrics(app, deps.registry);

  await app.register(rateLimit, {
    max: deps.rateLimitPerMinute,
    timeWindow: 60_000,
    // Per customer when authenticated (the token was checked in onRequest, before this), else per address.
    keyGenerator: (request) => (request.principal ? `sub:${request.principal.sub}` : `ip:${request.ip}`),
    errorResponseBuilder: (_request, context) =>
      Object.assign(new Error(`rate limit of ${context.max} requests per minute exceeded; retry in ${context.after}`), { statusCode: context.statusCode }),
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'OMS API',
        version: '1.0.0',
        description: 'Orders in; a Temporal saga drives them through inventory, payment and shipping. Errors are RFC 9457 problems.',
      },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(healthRoutes, { deps });
  await app.register(orderRoutes, { deps });
  await app.register(carrierRoutes, { deps });
  await app.register(adminRoutes, { deps });
  await app.register(reshardRoutes, { deps });
  return app;
}
