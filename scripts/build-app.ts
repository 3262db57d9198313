/**
 * Every app's `build`: self-contained bundles (run them with plain `node`),
 * the workspace libs and pure-JS dependencies inlined; packages with native
 * parts, WASM or worker threads stay external and come from node_modules.
 * Run from the app's folder. Builds dist/main.js and dist/healthcheck.js,
 * and for services (with a prisma/ folder) dist/migrate.js and the
 * dist/prisma.config.js it runs Prisma with, both from libs/db.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const migrations = (file: string) => fileURLToPath(new URL(`../libs/db/src/migrations/${file}`, import.meta.url));

await build({
  entryPoints: {
    main: 'src/main.ts',
    healthcheck: 'src/healthcheck.ts',
    ...(existsSync('prisma') && { migrate: migrations('migrate-command.ts'), 'prisma.config': migrations('packaged-prisma-config.ts') }),
  },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  // (@fastify/swagger and -ui read files next to their own code; prisma is the CLI migrate.js runs.)
  external: ['@temporalio/*', '@prisma/*', 'prisma', 'pg', 'pino', '@swc/*', '@fastify/swagger', '@fastify/swagger-ui'],
  // Bundled CommonJS dependencies call require(); give the ES module one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'info',
});
