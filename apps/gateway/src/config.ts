import { ConfigError, env, loadConfig, temporalConfigShape } from '@oms/platform';
import { devJwtSecret } from '@oms/platform/tokens';
import { z } from 'zod';

const devCarrierSecret = 'dev-only-carrier-webhook-secret';

export const configShape = {
  HOST: z.string().default('127.0.0.1'),
  PORT: env.port(8080),
  LOG_LEVEL: env.logLevel(),
  ORDER_SERVICE_URL: env.url('http://127.0.0.1:50051'),
  PAYMENT_SERVICE_URL: env.url('http://127.0.0.1:50052'),
  INVENTORY_SERVICE_URL: env.url('http://127.0.0.1:50053'),
  SHIPPING_SERVICE_URL: env.url('http://127.0.0.1:50054'),
  ...temporalConfigShape,
  GATEWAY_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').default(devJwtSecret),
  CARRIER_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').default(devCarrierSecret),
  RATE_LIMIT_PER_MINUTE: env.count(600),
  DELIVERY_TIMEOUT_MS: env.count(86_400_000),
  ORDER_AWAIT_CUSTOMER_MS: env.count(1_800_000),
  NODE_ENV: z.string().default('development'),
  /** Test-only fault hook: SIGKILL the gateway between creating an order and starting its saga (the orphan reconciler's test). */
  GATEWAY_CRASH_AFTER_CREATE_ORDER: z.enum(['true', 'false']).default('false'),
};

/**
 * The gateway's settings. In production (NODE_ENV=production, as the image
 * sets it) the development secrets are refused, so that a token minted with
 * the default key, which is in this repository, can never be accepted.
 */
export function loadGatewayConfig(environment: Record<string, string | undefined>) {
  const config = loadConfig(configShape, environment);
  if (config.NODE_ENV === 'production') {
    const defaults = [
      config.GATEWAY_JWT_SECRET === devJwtSecret && 'GATEWAY_JWT_SECRET',
      config.CARRIER_WEBHOOK_SECRET === devCarrierSecret && 'CARRIER_WEBHOOK_SECRET',
    ].filter(Boolean);
    if (defaults.length > 0) {
      throw new ConfigError(
        `invalid configuration:\n${defaults.map((name) => `  ${name}: must be set to a secret of your own when NODE_ENV=production (the default is for development only)`).join('\n')}`,
      );
    }
  }
  return config;
}
