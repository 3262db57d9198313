/**
 * The migration tooling (`@oms/db/migrations`): for the set-up, tests and
 * scripts, never loaded by a running service (which needs only the check in
 * `@oms/db`). Each service's prisma.config.ts uses `@oms/db/prisma-config`.
 */
export { dropDatabase, ensureDatabase } from './databases';
export { migrate, runNodeCli, runPrisma } from './migrate';
export { rollbackLatest } from './rollback';
