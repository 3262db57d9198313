import { isSpanContextValid, trace } from '@opentelemetry/api';
import { pino, type Logger } from 'pino';

export type { Logger };

/** The active span's ids, so a log line written inside a traced call can be found from its trace (and back). */
export function traceIds(): { traceId?: string; spanId?: string } {
  const span = trace.getActiveSpan()?.spanContext();
  return span && isSpanContextValid(span) ? { traceId: span.traceId, spanId: span.spanId } : {};
}

/** JSON logs, one line per event, tagged with the app's name and, inside a span, traceId and spanId. */
export function createLogger(app: string, level = 'info'): Logger {
  return pino({ name: app, level, base: { app }, timestamp: pino.stdTimeFunctions.isoTime, mixin: traceIds });
}
