import { Writable } from 'node:stream';
import { createClient, createRouterTransport } from '@connectrpc/connect';
import { SpanKind, trace } from '@opentelemetry/api';
import { node, tracing } from '@opentelemetry/sdk-node';
import { Health } from '@oms/contracts/health/v1';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { traceIds } from '../src/logger';
import { tracingClientInterceptor, tracingServerInterceptor } from '../src/tracing';

const exporter = new tracing.InMemorySpanExporter();
const provider = new node.NodeTracerProvider({ spanProcessors: [new tracing.SimpleSpanProcessor(exporter)] });
provider.register();
afterAll(() => provider.shutdown());

describe('tracing over Connect', () => {
  it('joins the server span to the client span through traceparent, and logs carry the active span', async () => {
    const lines: Record<string, unknown>[] = [];
    // createLogger's mixin, on a stream the test reads.
    const logger = pino({ mixin: traceIds }, new Writable({ write: (chunk: Buffer, _encoding, done) => done(void lines.push(JSON.parse(chunk.toString()))) }));
    const transport = createRouterTransport(
      (router) =>
        router.service(Health, {
          check: () => {
            logger.info('checking');
            return { status: 1 };
          },
          list: () => ({}),
          watch: async function* () {},
        }),
      { router: { interceptors: [tracingServerInterceptor()] }, transport: { interceptors: [tracingClientInterceptor()] } },
    );
    await createClient(Health, transport).check({});

    const [server, client] = exporter.getFinishedSpans();
    expect(client).toMatchObject({ name: 'grpc.health.v1.Health/Check', kind: SpanKind.CLIENT });
    expect(server).toMatchObject({ name: 'grpc.health.v1.Health/Check', kind: SpanKind.SERVER });
    expect(server!.spanContext().traceId).toBe(client!.spanContext().traceId);
    expect(server!.parentSpanId).toBe(client!.spanContext().spanId);
    expect(lines[0]).toMatchObject({ msg: 'checking', traceId: server!.spanContext().traceId, spanId: server!.spanContext().spanId });
    expect(trace.getActiveSpan()).toBeUndefined();
  });
});
