export { ConfigError, env, loadConfig, serviceConfigShape, type Config, type ServiceConfigShape } from './config';
export { createLogger, type Logger } from './logger';
export { createRegistry, requestMetrics, rpcMetricsInterceptor } from './metrics';
export { startMetricsServer, type MetricsServer } from './metrics-server';
export {
  errorDomain,
  errorInterceptor,
  invalidArgument,
  notFound,
  refusalInfo,
  refused,
  Violations,
  type ErrorMapper,
  type FieldViolation,
  type RefusalInfo,
} from './errors';
export { HealthState } from './health';
export { isEntryPoint, runApp, startRpcServer, stopOnSignals, type RpcServer, type RpcServerOptions, type ServerConfig, type Stoppable } from './server';
export { serviceClient, serviceTransport } from './client';
export { pageToken } from './paging';
export { contractViolations, validationInterceptor } from './validation';
export { freePort } from './net';
export { startTelemetry, tracesEndpoint, type Telemetry } from './telemetry';
export { tracingClientInterceptor, tracingServerInterceptor } from './tracing';
export { temporalConfigShape, temporalConnectionOptions } from './temporal-config';
