/**
 * The system on a developer's machine: which apps there are (the registry),
 * the set-up (Postgres, the Temporal CLI, template and development databases,
 * query types), and the launcher's parts (apps as processes, supervision, the
 * Temporal dev server, the trace viewer, copies of the whole system).
 */
export { appDir, services, shardDatabases, shardUrlsEnv, workspaceRoot, type ServiceName } from './workspace';
export { ensurePostgres, postgresServer, postgresServerUrl, type PostgresServer } from './postgres';
export { ensureTemporalCli, findTemporalCli } from './temporal-cli';
export { startTraceViewer, type TraceViewer } from './jaeger';
export { ensurePromtool, findPromtool } from './promtool';
export { ensureDeployChecks, findDeployCheck } from './deploy-checks';
export { ensureTemporalServer, fastTaskDispatch, removeTemporalHistory, type TemporalServer } from './temporal-server';
export { copyTemplate, prepareTemplate, templateName, testCopyPrefix } from './templates';
export { generateSqlTypes } from './sql-types';
export { prepare, type Prepared } from './prepare';
export { outputTail, startAppProcess, type AppProcess, type StartOptions } from './processes';
export { supervise, type Supervised } from './supervise';
export {
  appDatabases,
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
