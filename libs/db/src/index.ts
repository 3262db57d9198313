export { idempotent, priorOutcome, refuse, Refusal, type IdempotentCall, type SqlClient, type TransactionRunner } from './idempotency';
export { isTransientDatabaseError, mapDatabaseError } from './errors';
export { pgAdapter } from './prisma';
export { sqlConnection, type SqlConnection } from './typed-sql';
export { found, IdempotentStore } from './store';
export { assertMigrated, dropDatabase, ensureDatabase, migrate, migrationState, rollbackLatest, runNodeCli, runPrisma, withClient, withDatabase, type MigrationState } from './migrations';
