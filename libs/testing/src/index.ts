/** Test harness: databases, processes, the Temporal CLI, the workspace's layout. */
export { cloneTemplate, copyTemplate, prepareTemplate, type TestDatabase } from './databases';
export { explain, type PlanNode } from './plans';
export { generateSqlTypes } from './sql-types';
export { ensurePostgres, postgresServer, postgresServerUrl, type PostgresServer } from './postgres';
export { ensureTemporalCli, findTemporalCli } from './temporal-cli';
export { ensureTemporalServer, startTemporalDevServer, type TemporalServer } from './temporal';
export { startAppProcess, type AppProcess } from './processes';
export { rpcError, testServiceEnv } from './rpc';
export { startTcpProxy, type TcpProxy } from './tcp-proxy';
export { appDir, services, workspaceRoot, type ServiceName } from './workspace';
export { createCustomer, startStack, type Stack } from './stack';
export { removeTemporalHistory } from './temporal';
export { outputTail, type StartOptions } from './processes';
export {
  checkInstanceName,
  instanceDatabase,
  instanceDirs,
  launchSystem,
  readSystemState,
  removeInstance,
  writeSystemState,
  type AppState,
  type RunningSystem,
  type SystemState,
} from './system';
