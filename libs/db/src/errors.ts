import { Code, ConnectError } from '@connectrpc/connect';

// Postgres SQLSTATEs and driver conditions that a retry can outlive.
const transientSqlStates = new Set(['40001', '40P01', '55P03', '57P01', '57P02', '57P03', '53300', '08000', '08001', '08003', '08006']);
const transientNodeCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);
// Prisma's codes for an unreachable database, a pool timeout, a transaction
// that could not start or expired, a write conflict.
const transientPrismaCodes = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028', 'P2034']);
// Driver-adapter error kinds for the same conditions.
const transientAdapterKinds = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
  'TransactionWriteConflict',
  'TransactionAlreadyClosed',
]);

function* causes(error: unknown): Generator<Record<string, unknown>> {
  let current = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const record = current as Record<string, unknown>;
    yield record;
    // A raw query's failure (P2010) carries the driver's error under meta, not as its cause.
    current = record.cause ?? (record.meta as { driverAdapterError?: unknown } | undefined)?.driverAdapterError;
  }
}

/** True when the database error is one a retry may outlive (down, restarting, conflict). */
export function isTransientDatabaseError(error: unknown): boolean {
  for (const e of causes(error)) {
    if (typeof e.code === 'string' && (transientSqlStates.has(e.code) || transientNodeCodes.has(e.code) || transientPrismaCodes.has(e.code))) return true;
    if (typeof e.kind === 'string' && transientAdapterKinds.has(e.kind)) return true;
    if (typeof e.originalCode === 'string' && transientSqlStates.has(e.originalCode)) return true;
    if (typeof e.message === 'string' && /Connection terminated|Can't reach database server|connect ECONNREFUSED/.test(e.message)) return true;
  }
  return false;
}

function isUniqueViolation(error: unknown): boolean {
  for (const e of causes(error)) {
    if (e.code === 'P2002' || e.code === '23505' || e.originalCode === '23505' || e.kind === 'UniqueConstraintViolation') return true;
  }
  return false;
}

/**
 * Maps a database fault to UNAVAILABLE, so callers (and Temporal) retry it,
 * and a unique-key race between two concurrent requests to ABORTED: on retry
 * the loser sees the winner's row and gets a proper answer.
 */
export function mapDatabaseError(error: unknown): ConnectError | undefined {
  if (isTransientDatabaseError(error)) return new ConnectError('database unavailable, try again', Code.Unavailable, undefined, undefined, error);
  if (isUniqueViolation(error)) return new ConnectError('conflicting concurrent request, try again', Code.Aborted, undefined, undefined, error);
  return undefined;
}
