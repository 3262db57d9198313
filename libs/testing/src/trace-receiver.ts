/**
 * A real OTLP/HTTP trace receiver for tests: apps export to it over HTTP
 * (OTEL_EXPORTER_OTLP_PROTOCOL=http/json) and the test reads what arrived.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** '' for a root span. */
  parentSpanId: string;
  name: string;
  /** The exporting app's service.name. */
  service: string;
  /** The span's attributes that are strings, e.g. temporalWorkflowId. */
  attributes: Record<string, string>;
}

export interface TraceReceiver {
  /** For OTEL_EXPORTER_OTLP_ENDPOINT (the apps add /v1/traces). */
  endpoint: string;
  /** The variables that point an app at this receiver. */
  env: Record<string, string>;
  spans: ReceivedSpan[];
  close(): Promise<void>;
}

type KeyValue = { key: string; value: { stringValue?: string } };

const strings = (attributes: KeyValue[] = []) =>
  Object.fromEntries(attributes.flatMap(({ key, value }) => (value.stringValue === undefined ? [] : [[key, value.stringValue]])));

// The OTLP JSON shape (opentelemetry-proto's JSON mapping), as much of it as the tests read.
interface ExportRequest {
  resourceSpans?: {
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: { spans?: { traceId: string; spanId: string; parentSpanId?: string; name: string; attributes?: KeyValue[] }[] }[];
  }[];
}

function received(body: ExportRequest): ReceivedSpan[] {
  return (body.resourceSpans ?? []).flatMap((resourceSpans) => {
    const service = strings(resourceSpans.resource?.attributes)['service.name'] ?? '';
    return (resourceSpans.scopeSpans ?? []).flatMap((scope) =>
      (scope.spans ?? []).map((span) => ({
        traceId: span.traceId,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId ?? '',
        name: span.name,
        service,
        attributes: strings(span.attributes),
      })),
    );
  });
}

export async function startTraceReceiver(): Promise<TraceReceiver> {
  const spans: ReceivedSpan[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces' || !req.headers['content-type']?.startsWith('application/json')) {
        res.writeHead(415).end();
        return;
      }
      spans.push(...received(JSON.parse(Buffer.concat(chunks).toString('utf8')) as ExportRequest));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' },
    spans,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
