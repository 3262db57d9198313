import { readFileSync } from 'node:fs';
import { taskQueue } from '@oms/contracts/workflows';
import { z } from 'zod';
import { ConfigError, type Config } from './config';

/**
 * Where Temporal is, read alike by the worker and the gateway: the local dev
 * server by default, or a self-hosted cluster (mTLS) or Temporal Cloud (an API key).
 */
export const temporalConfigShape = {
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default(taskQueue),
  TEMPORAL_API_KEY: z.string().optional(),
  TEMPORAL_TLS: z.enum(['true', 'false']).default('false'),
  /** A client certificate and key (mTLS), and the CA that signed the server's certificate when it is a private one. */
  TEMPORAL_TLS_CERT_PATH: z.string().optional(),
  TEMPORAL_TLS_KEY_PATH: z.string().optional(),
  TEMPORAL_TLS_CA_PATH: z.string().optional(),
};

/** The address, TLS and API key options both Temporal connection classes take. */
export function temporalConnectionOptions(config: Config<typeof temporalConfigShape>) {
  const { TEMPORAL_TLS_CERT_PATH: crt, TEMPORAL_TLS_KEY_PATH: key, TEMPORAL_TLS_CA_PATH: ca } = config;
  if (!crt !== !key) throw new ConfigError('invalid configuration:\n  TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH go together: set both or neither');
  const wantsTls = config.TEMPORAL_TLS === 'true' || config.TEMPORAL_API_KEY !== undefined || crt !== undefined || ca !== undefined;
  const tls = wantsTls
    ? {
        ...(crt && key ? { clientCertPair: { crt: readFileSync(crt), key: readFileSync(key) } } : {}),
        ...(ca ? { serverRootCACertificate: readFileSync(ca) } : {}),
      }
    : false;
  return { address: config.TEMPORAL_ADDRESS, tls, apiKey: config.TEMPORAL_API_KEY };
}
