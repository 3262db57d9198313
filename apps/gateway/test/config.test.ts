/** In production the gateway refuses the development secrets that this repository publishes. */
import { describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '../src/config';

const ownSecrets = { GATEWAY_JWT_SECRET: 'x'.repeat(48), CARRIER_WEBHOOK_SECRET: 'y'.repeat(32) };

describe('gateway configuration', () => {
  it('uses the development secrets on a developer machine', () => {
    expect(loadGatewayConfig({}).GATEWAY_JWT_SECRET).toMatch(/^dev-only-/);
  });

  it('refuses both development secrets in production, naming each', () => {
    expect(() => loadGatewayConfig({ NODE_ENV: 'production' })).toThrow(
      /GATEWAY_JWT_SECRET: must be set to a secret of your own when NODE_ENV=production[^]*CARRIER_WEBHOOK_SECRET: must be set/,
    );
    expect(() => loadGatewayConfig({ NODE_ENV: 'production', GATEWAY_JWT_SECRET: ownSecrets.GATEWAY_JWT_SECRET })).toThrow(
      /^((?!GATEWAY_JWT_SECRET)[^])*CARRIER_WEBHOOK_SECRET/,
    );
  });

  it('starts in production with secrets of its own', () => {
    expect(loadGatewayConfig({ NODE_ENV: 'production', ...ownSecrets }).GATEWAY_JWT_SECRET).toBe(ownSecrets.GATEWAY_JWT_SECRET);
  });
});
