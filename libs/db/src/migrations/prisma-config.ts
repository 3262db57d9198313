import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { MigratePg } from './migrate-adapter';

/** The models every service's schema has, owned here (libs/db/prisma/*.prisma). */
export const sharedModels = ['idempotency-key.prisma'];
export const sharedModelsDir = path.join(import.meta.dirname, '..', '..', 'prisma');

/**
 * Copies the shared models into the service's schema folder (gitignored
 * there), so each Prisma command sees the current ones. Only when they
 * differ, and by rename, since Prisma commands of one service run concurrently.
 */
function copySharedModels(schemaDir: string): void {
  for (const file of sharedModels) {
    const text = readFileSync(path.join(sharedModelsDir, file), 'utf8');
    const target = path.join(schemaDir, file);
    if (existsSync(target) && readFileSync(target, 'utf8') === text) continue;
    const temporary = `${target}.${process.pid}.tmp`;
    writeFileSync(temporary, text);
    renameSync(temporary, target);
  }
}

/**
 * Prisma Migrate on the JavaScript schema engine (no Rust binary to download),
 * against DATABASE_URL or the service's local default database, with the
 * schema in `schemaDir` (Prisma's multi-file schema: schema.prisma and the
 * shared models beside it).
 */
export function migrationConfig(schemaDir: string, defaultDatabase: string): ReturnType<typeof defineConfig> {
  return defineConfig({
    experimental: { adapter: true },
    engine: 'js',
    schema: schemaDir,
    adapter: async () => new MigratePg(process.env.DATABASE_URL ?? `postgres://postgres@127.0.0.1:5432/${defaultDatabase}`),
  });
}

/**
 * Every service's prisma.config.ts in the workspace: its prisma/ folder with
 * the shared models copied in. (An image's prisma/ holds them already: see
 * packaged-prisma-config.ts.)
 */
export function servicePrismaConfig(serviceDir: string, defaultDatabase: string): ReturnType<typeof defineConfig> {
  const schemaDir = path.join(serviceDir, 'prisma');
  copySharedModels(schemaDir);
  return migrationConfig(schemaDir, defaultDatabase);
}
