/**
 * Runs PgTyped's generated queries (src/sql/*.queries.ts) on a Prisma client
 * or transaction, so hand-written SQL joins the same transactions as Prisma's
 * own calls. Prisma turns the rows' values into JavaScript (int8 -> bigint,
 * timestamptz -> Date, json -> parsed), which is what the generated types
 * declare (pgtyped.json maps int8 to bigint); column names are turned into
 * camelCase here, as pgtyped.json's camelCaseColumnNames declares them.
 */
import type { SqlClient } from './idempotency';

/** PgTyped's IDatabaseConnection. */
export interface SqlConnection {
  query(query: string, bindings: unknown[]): Promise<{ rows: unknown[]; rowCount: number }>;
}

export function sqlConnection(db: SqlClient): SqlConnection {
  return {
    async query(query, bindings) {
      const rows = await db.$queryRawUnsafe<Record<string, unknown>[]>(query, ...bindings);
      return { rows: rows.map(camelCaseKeys), rowCount: rows.length };
    },
  };
}

const camelCase = (column: string) => column.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function camelCaseKeys(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([column, value]) => [camelCase(column), value]));
}
