import { Code, ConnectError, type Interceptor } from '@connectrpc/connect';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** A registry per app, with Node process metrics and the given default labels. */
export function createRegistry(app: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ app });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** Requests, errors (by code) and duration for every RPC the server answers. */
export function rpcMetricsInterceptor(registry: Registry): Interceptor {
  const requests = new Counter({
    name: 'rpc_server_requests_total',
    help: 'RPCs answered, by service, method and gRPC code',
    labelNames: ['service', 'method', 'code'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'rpc_server_duration_seconds',
    help: 'Time to answer an RPC',
    labelNames: ['service', 'method', 'code'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return (next) => async (req) => {
    const stop = duration.startTimer();
    let code = 'OK';
    try {
      return await next(req);
    } catch (error) {
      code = Code[ConnectError.from(error).code];
      throw error;
    } finally {
      const labels = { service: req.service.typeName, method: req.method.name, code };
      requests.inc(labels);
      stop(labels);
    }
  };
}
