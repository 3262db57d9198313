/**
 * `npm run migrate:rollback -- <service> [database-url...]`: undoes the newest
 * migration applied to each of the service's databases (its development
 * databases, every shard of a sharded service, unless URLs are given) by
 * running its down.sql, and marks it rolled back. `npm run setup` applies it
 * again.
 */
import path from 'node:path';
import { withDatabase } from '@oms/db';
import { rollbackLatest } from '@oms/db/migrations';
import { appDir, postgresServerUrl, services, shardDatabases } from '@oms/devstack';
import { fail, log } from './bootstrap';

const [app, ...urls] = process.argv.slice(2);
const service = services.find((s) => s.app === app);
if (!service) fail(`usage: npm run migrate:rollback -- <${services.map((s) => s.app).join('|')}> [database-url...]`);
const databaseUrls = urls.length ? urls : [service.database, ...shardDatabases(service)].map((d) => withDatabase(postgresServerUrl(), d));

try {
  // One at a time, so that the report says how far it got when one fails.
  for (const databaseUrl of databaseUrls) {
    const database = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
    const rolledBack = await rollbackLatest(databaseUrl, path.join(appDir(service.app), 'prisma'));
    log(rolledBack ? `${database}: rolled back ${rolledBack} (\`npm run setup\` applies it again)` : `${database}: no migration to roll back`);
  }
} catch (error) {
  fail(error);
}
