import { ConnectError } from '@connectrpc/connect';

/** The error a call failed with; fails the test when the call succeeded. */
export async function rpcError(call: Promise<unknown>): Promise<ConnectError> {
  try {
    await call;
  } catch (error) {
    return ConnectError.from(error);
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** Settings that make a service quiet and bind free ports, for in-process tests. */
export const testServiceEnv = (databaseUrl: string) => ({
  DATABASE_URL: databaseUrl,
  PORT: '0',
  METRICS_PORT: '0',
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
});
