import { z } from 'zod';

/** The settings `loadConfig` reads with `shape`. */
export type Config<Shape extends z.ZodRawShape> = z.infer<z.ZodObject<Shape>>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads configuration from environment variables, each with a default that
 * works on a developer machine, and says exactly which ones are wrong.
 */
export function loadConfig<Shape extends z.ZodRawShape>(shape: Shape, env: Record<string, string | undefined> = process.env): Config<Shape> {
  const result = z.object(shape).safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new ConfigError(`invalid configuration:\n${problems}`);
  }
  return result.data;
}

export const env = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  milliseconds: (fallback: number) => z.coerce.number().int().min(0).default(fallback),
  count: (fallback: number) => z.coerce.number().int().min(1).default(fallback),
  url: (fallback: string) => z.url().default(fallback),
  /** Comma-separated URLs (spaces around the commas allowed); unset or empty: none. */
  urlList: () =>
    z
      .string()
      .default('')
      .transform((list) =>
        list
          .split(',')
          .map((url) => url.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.url())),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};

/** What every RPC service reads: its ports, its database, its log level. */
export function serviceConfigShape(defaults: { port: number; metricsPort: number; database: string }) {
  return {
    PORT: env.port(defaults.port),
    METRICS_PORT: env.port(defaults.metricsPort),
    HOST: z.string().default('127.0.0.1'),
    DATABASE_URL: env.url(`postgres://postgres@127.0.0.1:5432/${defaults.database}`),
    DATABASE_POOL_SIZE: env.count(10),
    LOG_LEVEL: env.logLevel(),
    SHUTDOWN_GRACE_MS: env.milliseconds(10_000),
  };
}

export type ServiceConfigShape = ReturnType<typeof serviceConfigShape>;
