export { idempotent, priorOutcome, refuse, Refusal, type IdempotentCall, type SqlClient, type TransactionRunner } from './idempotency';
export { isTransientDatabaseError, mapDatabaseError } from './errors';
export { pgAdapter } from './prisma';
export { found, IdempotentStore } from './store';
export { assertMigrated, dropDatabase, ensureDatabase, migrate, migrationState, runPrisma, withClient, withDatabase, type MigrationState } from './migrations';
