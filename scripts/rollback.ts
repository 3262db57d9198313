/**
 * `npm run migrate:rollback -- <service> [database-url]`: undoes the newest
 * migration applied to the service's database (its development database
 * unless a URL is given) by running its down.sql, and marks it rolled back.
 * `npm run setup` applies it again.
 */
import path from 'node:path';
import { withDatabase } from '@oms/db';
import { rollbackLatest } from '@oms/db/migrations';
import { appDir, postgresServerUrl, services } from '@oms/devstack';
import { fail, log } from './bootstrap';

const [app, url] = process.argv.slice(2);
const service = services.find((s) => s.app === app);
if (!service) fail(`usage: npm run migrate:rollback -- <${services.map((s) => s.app).join('|')}> [database-url]`);
const databaseUrl = url ?? withDatabase(postgresServerUrl(), service.database);
const database = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));

try {
  const rolledBack = await rollbackLatest(databaseUrl, path.join(appDir(service.app), 'prisma'));
  log(rolledBack ? `${database}: rolled back ${rolledBack} (\`npm run setup\` applies it again)` : `${database}: no migration to roll back`);
} catch (error) {
  fail(error);
}
