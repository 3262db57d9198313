/**
 * Spans around Connect calls, joined by W3C traceparent in the request
 * headers: a CLIENT span per outgoing call, a SERVER span per handled call,
 * both named `<package>.<Service>/<Method>` as OpenTelemetry's RPC
 * conventions say. With tracing off (telemetry.ts) these spans are no-ops.
 */
import { Code, ConnectError, type Interceptor } from '@connectrpc/connect';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api';

const tracer = trace.getTracer('@oms/platform');

const headerGetter: TextMapGetter<Headers> = {
  keys: (headers) => [...headers.keys()],
  get: (headers, key) => headers.get(key) ?? undefined,
};
const headerSetter: TextMapSetter<Headers> = { set: (headers, key, value) => headers.set(key, value) };

type Request = Parameters<Parameters<Interceptor>[0]>[0];

function spanOptions(req: Request, kind: SpanKind) {
  return {
    kind,
    attributes: { 'rpc.system': 'grpc', 'rpc.service': req.service.typeName, 'rpc.method': req.method.name },
  };
}

async function traced<T>(span: Span, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const code = ConnectError.from(error).code;
    span.setAttribute('rpc.grpc.status_code', code);
    span.setStatus({ code: SpanStatusCode.ERROR, message: Code[code] });
    throw error;
  } finally {
    span.end();
  }
}

/** The SERVER span of each call, child of the caller's span when the request carries traceparent. */
export function tracingServerInterceptor(): Interceptor {
  return (next) => (req) => {
    const parent = propagation.extract(ROOT_CONTEXT, req.header, headerGetter);
    const name = `${req.service.typeName}/${req.method.name}`;
    return tracer.startActiveSpan(name, spanOptions(req, SpanKind.SERVER), parent, (span) => traced(span, () => next(req)));
  };
}

/** The CLIENT span of each call, sent along as traceparent. */
export function tracingClientInterceptor(): Interceptor {
  return (next) => (req) => {
    const name = `${req.service.typeName}/${req.method.name}`;
    return tracer.startActiveSpan(name, spanOptions(req, SpanKind.CLIENT), (span) => {
      propagation.inject(context.active(), req.header, headerSetter);
      return traced(span, () => next(req));
    });
  };
}
