/** How the worker and the gateway reach Temporal: the dev server in plain text, a cluster over mTLS, Temporal Cloud with an API key. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, temporalConfigShape, temporalConnectionOptions } from '../src';

const options = (environment: Record<string, string>) => temporalConnectionOptions(loadConfig(temporalConfigShape, environment));

describe('temporal connection settings', () => {
  it('reach the local dev server without TLS by default', () => {
    expect(options({})).toEqual({ address: '127.0.0.1:7233', tls: false, apiKey: undefined });
  });

  it('turn TLS on for an API key (Temporal Cloud)', () => {
    expect(options({ TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_API_KEY: 'key' })).toEqual({
      address: 'ns.acct.tmprl.cloud:7233',
      tls: {},
      apiKey: 'key',
    });
  });

  it('read a client certificate, its key and a private CA from files (mTLS)', () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'temporal-tls-'));
    for (const name of ['tls.crt', 'tls.key', 'ca.crt']) writeFileSync(path.join(folder, name), `${name} bytes`);
    const { tls } = options({
      TEMPORAL_TLS_CERT_PATH: path.join(folder, 'tls.crt'),
      TEMPORAL_TLS_KEY_PATH: path.join(folder, 'tls.key'),
      TEMPORAL_TLS_CA_PATH: path.join(folder, 'ca.crt'),
    });
    expect(tls).toEqual({
      clientCertPair: { crt: Buffer.from('tls.crt bytes'), key: Buffer.from('tls.key bytes') },
      serverRootCACertificate: Buffer.from('ca.crt bytes'),
    });
  });

  it('refuse a certificate without its key', () => {
    expect(() => options({ TEMPORAL_TLS_CERT_PATH: '/run/tls.crt' })).toThrow(ConfigError);
    expect(() => options({ TEMPORAL_TLS_CERT_PATH: '/run/tls.crt' })).toThrow(/TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH go together/);
  });
});
