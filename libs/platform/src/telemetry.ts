/**
 * OpenTelemetry traces, configured by the standard OTEL_* variables. Off
 * unless OTEL_EXPORTER_OTLP_ENDPOINT (or ..._TRACES_ENDPOINT) is set: then
 * nothing is started, every span is the API's no-op and nothing is exported.
 *
 * When on: OTLP over HTTP (OTEL_EXPORTER_OTLP_PROTOCOL `http/protobuf`, the
 * default, or `http/json`), service name = the app's (OTEL_SERVICE_NAME wins),
 * W3C traceparent propagation, and the SDK's sampler from OTEL_TRACES_SAMPLER /
 * OTEL_TRACES_SAMPLER_ARG: the default `parentbased_always_on` keeps every
 * trace; `parentbased_traceidratio` with e.g. `0.1` keeps a tenth of the
 * orders, decided once at the gateway and followed by every other app.
 */
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { NodeSDK, resources, tracing } from '@opentelemetry/sdk-node';

type Instrumentations = NonNullable<ConstructorParameters<typeof NodeSDK>[0]>['instrumentations'];

export interface Telemetry {
  /** Where finished spans go; the Temporal worker feeds its workflows' spans here too. */
  spanProcessor: tracing.SpanProcessor;
  resource: resources.Resource;
  /** Exports what is buffered and stops; call last at shutdown. */
  shutdown(): Promise<void>;
}

let running: Telemetry | undefined;

/** Tracing off: spans made anyway (the worker's workflows always make theirs) go nowhere. */
const off: Telemetry = { spanProcessor: new tracing.NoopSpanProcessor(), resource: resources.Resource.empty(), shutdown: async () => {} };

/** The traces endpoint the variables name, or undefined when tracing is off. */
export function tracesEndpoint(env: Record<string, string | undefined>): string | undefined {
  if (env.OTEL_SDK_DISABLED === 'true') return undefined;
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT) return `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/$/, '')}/v1/traces`;
  return undefined;
}

/**
 * Starts tracing for this process when `env` names an endpoint (once per
 * process: a second call gets the first one's). Call it first thing in an app.
 * `instrumentations` is called only then (an instrumentation hooks in when made).
 */
export function startTelemetry(
  app: string,
  env: Record<string, string | undefined> = process.env,
  instrumentations: () => Instrumentations = () => [],
): Telemetry {
  const url = tracesEndpoint(env);
  if (url === undefined) return off;
  if (running) return running;
  const exporter = env.OTEL_EXPORTER_OTLP_PROTOCOL === 'http/json' ? new JsonExporter({ url }) : new ProtobufExporter({ url });
  const spanProcessor = new tracing.BatchSpanProcessor(exporter, { scheduledDelayMillis: 1_000 });
  const resource = new resources.Resource({ 'service.name': env.OTEL_SERVICE_NAME ?? app });
  const sdk = new NodeSDK({ resource, spanProcessors: [spanProcessor], instrumentations: instrumentations() });
  sdk.start();
  let stopped: Promise<void> | undefined;
  running = { spanProcessor, resource, shutdown: () => (stopped ??= sdk.shutdown()) };
  return running;
}
