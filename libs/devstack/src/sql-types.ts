/**
 * Typed SQL's code generation: PgTyped reads a service's src/sql/*.sql and
 * asks Postgres (the service's migrated template database) for each query's
 * parameter and row types, writing src/sql/*.queries.ts. The output is
 * committed, so that a build needs no database; set-up regenerates it, so a
 * changed query or migration shows up as a type error or a diff.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { withDatabase } from '@oms/db';
import { runNodeCli } from '@oms/db/migrations';
import { templateName } from './templates';
import { postgresServerUrl } from './postgres';

/** Regenerates the service's query types, if it has typed SQL; returns whether it has. */
export async function generateSqlTypes(serviceDir: string, database: string): Promise<boolean> {
  if (!existsSync(path.join(serviceDir, 'pgtyped.json'))) return false;
  // Its exports map every subpath to the CLI, for `import` only (and vitest lacks import.meta.resolve: resolved here, at use).
  const pgtypedCli = fileURLToPath(import.meta.resolve('@pgtyped/cli/lib/index.js'));
  const uri = withDatabase(postgresServerUrl(), templateName(database));
  await runNodeCli(pgtypedCli, ['--config', 'pgtyped.json', '--uri', uri], { cwd: serviceDir });
  return true;
}
