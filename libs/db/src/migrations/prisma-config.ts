import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { MigratePg } from './migrate-adapter';

/**
 * Every service's prisma.config.ts: Prisma Migrate on the JavaScript schema
 * engine (no Rust binary to download), against DATABASE_URL or the service's
 * local default database.
 */
export function servicePrismaConfig(serviceDir: string, defaultDatabase: string): ReturnType<typeof defineConfig> {
  return defineConfig({
    experimental: { adapter: true },
    engine: 'js',
    schema: path.join(serviceDir, 'prisma', 'schema.prisma'),
    adapter: async () => new MigratePg(process.env.DATABASE_URL ?? `postgres://postgres@127.0.0.1:5432/${defaultDatabase}`),
  });
}
