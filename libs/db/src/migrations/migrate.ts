/**
 * Prisma Migrate, driven from code: used by the set-up and the test harness.
 * `prisma migrate deploy` costs ~11 s even with nothing to do, so the applied
 * set is read from _prisma_migrations first and Prisma runs only when
 * something is pending.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { migrationState } from '../migration-check';
import { ensureDatabase } from './databases';

const prismaCli = createRequire(import.meta.url).resolve('prisma/build/index.js');

/** Runs a Node CLI (its script's path) in `cwd`; resolves to what it printed, rejects with it on failure. */
export function runNodeCli(script: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d));
    child.stderr.on('data', (d: Buffer) => (output += d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${path.basename(script)} ${args.join(' ')} failed (exit ${code}):\n${output}`)),
    );
  });
}

/** Runs a Prisma CLI command in a service folder (where its prisma.config.ts is). */
export function runPrisma(serviceDir: string, args: string[], databaseUrl: string): Promise<string> {
  return runNodeCli(prismaCli, args, {
    cwd: serviceDir,
    // No update check and no config-loader cache: nothing written outside the database.
    env: { DATABASE_URL: databaseUrl, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1', JITI_FS_CACHE: 'false' },
  });
}

/**
 * Creates the database if needed and applies pending migrations; returns what it applied.
 * `configFile`: a Prisma config other than the service folder's prisma.config.ts.
 */
export async function migrate(serviceDir: string, databaseUrl: string, configFile?: string): Promise<string[]> {
  await ensureDatabase(databaseUrl);
  const { pending, modified } = await migrationState(databaseUrl, path.join(serviceDir, 'prisma'));
  if (modified.length > 0) {
    throw new Error(`${databaseUrl}: migrations ${modified.join(', ')} changed after they were applied; recreate the database`);
  }
  if (pending.length > 0) await runPrisma(serviceDir, ['migrate', 'deploy', ...(configFile ? ['--config', configFile] : [])], databaseUrl);
  return pending;
}
