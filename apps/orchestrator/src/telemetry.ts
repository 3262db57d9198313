/**
 * The worker's logs and metrics: SDK and workflow logs go to pino (JSON,
 * one line per event, with workflowId and activity meta, and traceId/spanId when traced), business metrics to
 * prom-client, fed by the workflows' replay-safe sinks.
 */
import type { InjectedSinks } from '@temporalio/worker';
import type { Logger as TemporalLogger, LogLevel, LogMetadata } from '@temporalio/common';
import type { Logger } from '@oms/platform';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { OrderSinks } from './sinks';

/**
 * Temporal's OpenTelemetry interceptors put the span of a workflow's or an
 * activity's log line in trace_id and span_id; every other OMS line says
 * traceId and spanId (libs/platform's logger), so the names are made one.
 */
function joinTrace(meta: LogMetadata): LogMetadata {
  const { trace_id: traceId, span_id: spanId, trace_flags: _flags, ...rest } = meta;
  return traceId === undefined ? meta : { ...rest, traceId, spanId };
}

export function temporalLogger(logger: Logger): TemporalLogger {
  const levels: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
    TRACE: 'trace',
    DEBUG: 'debug',
    INFO: 'info',
    WARN: 'warn',
    ERROR: 'error',
  };
  const log = (level: LogLevel, message: string, meta?: LogMetadata) => logger[levels[level]](joinTrace(meta ?? {}), message);
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}

/** order_processing_seconds, the completed and cancelled (by reason) counters and the given-up alert, fed by the workflows. */
export function orderSinks(registry: Registry): InjectedSinks<OrderSinks> {
  const seconds = new Histogram({
    name: 'order_processing_seconds',
    help: 'Time from order creation to a terminal saga outcome',
    labelNames: ['status'],
    buckets: [0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600],
    registers: [registry],
  });
  const completed = new Counter({ name: 'orders_completed_total', help: 'Orders the saga completed', registers: [registry] });
  const cancelled = new Counter({
    name: 'orders_cancelled_total',
    help: 'Orders the saga cancelled (and compensated), by reason: customer, operator, unavailable, payment_declined, out_of_stock, fraud_suspected, shipping_refused, invalid_order',
    labelNames: ['reason'],
    registers: [registry],
  });
  const gaveUp = new Counter({
    name: 'order_steps_given_up_total',
    help: 'Orders cancelled because a step retried transient faults for its whole window (alert on any)',
    labelNames: ['step', 'system'],
    registers: [registry],
  });
  return {
    orderMetrics: {
      gaveUp: { fn: (_info, step, system) => gaveUp.inc({ step, system }) },
      finished: {
        fn: (_info, status, elapsed, reason) => {
          seconds.observe({ status }, elapsed);
          if (status === 'COMPLETED') completed.inc();
          else cancelled.inc({ reason });
        },
      },
    },
  };
}
