/**
 * A service image's dist/migrate.js (bundled by scripts/build-app.ts): applies
 * the service's pending migrations to DATABASE_URL, and to order-service's
 * other shards (ORDER_SHARD_URLS, comma-separated; every shard has the same
 * schema), creating a database if missing, and exits; compose runs it before
 * the service starts, Helm as a hook Job before a new version rolls out. It writes nothing to the image:
 * Prisma reads the package's prisma/ through dist/prisma.config.js.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { env, loadConfig } from '@oms/platform';
import { migrate } from './migrate';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

function describe(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  return `database ${decodeURIComponent(url.pathname.slice(1))} on ${url.host}`;
}

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error('DATABASE_URL is not set');
  const { ORDER_SHARD_URLS } = loadConfig({ ORDER_SHARD_URLS: env.urlList() });
  for (const url of [databaseUrl, ...ORDER_SHARD_URLS]) {
    const applied = await migrate(packageDir, url, path.join(packageDir, 'dist', 'prisma.config.js'));
    console.log(applied.length > 0 ? `${describe(url)}: applied ${applied.join(', ')}` : `${describe(url)}: up to date`);
  }
}

await main().catch((error: unknown) => {
  console.error(`migrate failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
