export { idempotent, priorOutcome, refuse, Refusal, scopeOf, type IdempotentCall, type SqlClient, type TransactionRunner } from './idempotency';
export { isTransientDatabaseError, mapDatabaseError } from './errors';
export { pgAdapter } from './prisma';
export { sqlConnection, type SqlConnection } from './typed-sql';
export { found, IdempotentStore } from './store';
export { withClient, withDatabase } from './connections';
export { assertMigrated, migrationState, type MigrationState } from './migration-check';
export { startPrismaService, type DatabaseClient, type PrismaService, type ServiceParts } from './service-kit';
