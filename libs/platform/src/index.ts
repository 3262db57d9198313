export { ConfigError, env, loadConfig, serviceConfigShape } from './config';
export { createLogger, type Logger } from './logger';
export { createRegistry, rpcMetricsInterceptor } from './metrics';
export { startMetricsServer, type MetricsServer } from './metrics-server';
export { errorInterceptor, notFound, refused, Violations, type ErrorMapper } from './errors';
export { HealthState } from './health';
export { isEntryPoint, runApp, startRpcServer, stopOnSignals, type RpcServer, type RpcServerOptions, type ServerConfig, type Stoppable } from './server';
export { serviceClient } from './client';
export { checkAddress, checkId, checkLines, checkMoney, isId, pageSize, pageToken } from './validation';
