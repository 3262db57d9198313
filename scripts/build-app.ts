/**
 * Every app's `build`: one self-contained dist/main.js (run it with plain
 * `node`), the workspace libs and pure-JS dependencies inlined; packages
 * with native parts, WASM or worker threads stay external and come from
 * node_modules. Run from the app's folder.
 */
import { build } from 'esbuild';

await build({
  entryPoints: ['src/main.ts'],
  outfile: 'dist/main.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  // (@fastify/swagger and -ui read files next to their own code.)
  external: ['@temporalio/*', '@prisma/*', 'pg', 'pino', '@swc/*', '@fastify/swagger', '@fastify/swagger-ui'],
  // Bundled CommonJS dependencies call require(); give the ES module one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'info',
});
