import { Code, ConnectError, type Interceptor } from '@connectrpc/connect';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** A registry per app, with Node process metrics and the given default labels. */
export function createRegistry(app: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ app });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * A counter of answered requests and a histogram of their duration, with
 * the same labels: what every server (RPC or HTTP) reports.
 */
export function requestMetrics<L extends string>(
  registry: Registry,
  names: { requests: string; duration: string; what: string },
  labelNames: L[],
): (labels: Record<L, string>, seconds: number) => void {
  const requests = new Counter({ name: names.requests, help: `${names.what} answered, by ${labelNames.join(', ')}`, labelNames, registers: [registry] });
  const duration = new Histogram({
    name: names.duration,
    help: `Time to answer ${names.what}`,
    labelNames,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return (labels, seconds) => {
    requests.inc(labels);
    duration.observe(labels, seconds);
  };
}

/** Requests, errors (by gRPC code) and duration for every RPC the server answers. */
export function rpcMetricsInterceptor(registry: Registry): Interceptor {
  const observe = requestMetrics(registry, { requests: 'rpc_server_requests_total', duration: 'rpc_server_duration_seconds', what: 'RPCs' }, [
    'service',
    'method',
    'code',
  ]);
  return (next) => async (req) => {
    const started = performance.now();
    let code = 'OK';
    try {
      return await next(req);
    } catch (error) {
      code = Code[ConnectError.from(error).code];
      throw error;
    } finally {
      observe({ service: req.service.typeName, method: req.method.name, code }, (performance.now() - started) / 1000);
    }
  };
}
