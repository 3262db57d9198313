import { randomBytes } from 'node:crypto';
import { ConnectError } from '@connectrpc/connect';
import { BadRequestSchema } from '@oms/contracts/rpc';

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

/** A fresh id as the services take them (a positive 64-bit integer in decimal), unique enough for a test. */
export const newId = (): string => String(BigInt.asUintN(62, randomBytes(8).readBigUInt64BE()) + 1n);

/** The fields an INVALID_ARGUMENT names in its google.rpc.BadRequest details (what programs read). */
export const fieldViolations = (error: ConnectError): string[] => error.findDetails(BadRequestSchema).flatMap((bad) => bad.fieldViolations.map((v) => v.field));
