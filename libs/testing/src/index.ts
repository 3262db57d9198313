/** Test harness: throwaway databases, Temporal dev servers, the whole system for end-to-end tests. */
export { cloneTemplate, prepareServiceTemplates, type TestDatabase } from './databases';
// Each service's globalSetup prepares its own template; where templates live is the dev stack's business.
export { prepareTemplate } from '@oms/devstack';
export { explain, type PlanNode } from './plans';
export { startTemporalDevServer } from './temporal';
export { fieldViolations, newId, rpcError, testServiceEnv } from './rpc';
export { startExtraPostgres, type ExtraPostgres } from './postgres';
export { startTcpProxy, type TcpProxy } from './tcp-proxy';
export { createCustomer, stackEnv, startStack, type Stack } from './stack';
export { startTraceReceiver, type ReceivedSpan, type TraceReceiver } from './trace-receiver';
