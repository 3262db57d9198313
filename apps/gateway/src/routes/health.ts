/**
 * Probes: /healthz says the process is up; /readyz says the gateway can do
 * its work, i.e. every service answers grpc.health.v1 SERVING and Temporal
 * answers, and names what is down when not.
 */
import { HealthCheckResponse_ServingStatus as Serving } from '@oms/contracts/health/v1';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { GatewayDeps } from '../deps';

const checkTimeoutMs = 2_000;
const Readiness = Type.Object({ ready: Type.Boolean(), checks: Type.Record(Type.String(), Type.String()) });

export const healthRoutes: FastifyPluginAsyncTypebox<{ deps: GatewayDeps }> = async (app, { deps }) => {
  const config = { rateLimit: false } as const;

  app.get('/healthz', { config, schema: { tags: ['probes'], response: { 200: Type.Object({ status: Type.String() }) } } }, async () => ({ status: 'ok' }));

  async function check(name: string, probe: () => Promise<boolean>): Promise<[string, string]> {
    const ok = await probe().catch(() => false);
    return [name, ok ? 'up' : 'down'];
  }

  app.get('/readyz', { config, schema: { tags: ['probes'], response: { 200: Readiness, 503: Readiness } } }, async (_request, reply) => {
    const results = await Promise.all([
      ...Object.entries(deps.health).map(([name, client]) =>
        check(name, async () => (await client.check({}, { timeoutMs: checkTimeoutMs })).status === Serving.SERVING),
      ),
      check('temporal', () =>
        deps.temporal.connection.withDeadline(Date.now() + checkTimeoutMs, async () => {
          await deps.temporal.workflowService.getSystemInfo({});
          return true;
        }),
      ),
    ]);
    const checks = Object.fromEntries(results);
    const ready = results.every(([, state]) => state === 'up');
    return reply.code(ready ? 200 : 503).send({ ready, checks });
  });
};
