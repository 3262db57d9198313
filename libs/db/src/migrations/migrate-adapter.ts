/**
 * A PrismaPg factory for Prisma Migrate only (used by each service's
 * prisma.config.ts). @prisma/adapter-pg 6.19 cannot run migrations as it is;
 * see shared/ENVIRONMENT.md. This subclass mends the known faults.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';

type Adapter = Awaited<ReturnType<PrismaPg['connect']>>;
type Queryable = Pick<Adapter, 'queryRaw'>;
type SqlQuery = Parameters<Adapter['queryRaw']>[0];

// The adapter rejects catalog column types name (19), "char" (18) and
// pg_node_tree (194), which Migrate reads from pg_catalog: call them text.
const relabelled = new Map<number, number>([
  [19, 25],
  [18, 25],
  [194, 25],
  [1003, 1009],
  [1002, 1009],
]);

// ...but the schema describer reads some "char" columns as a char, not a
// string (pg_constraint.contype: `get_expect_char("constraint_type")`), and a
// Text value there panics the WASM engine ("RuntimeError: unreachable") as
// soon as a CHECK or EXCLUDE constraint exists. So "char" columns are
// reported to the engine as ColumnTypeEnum.Character (6, in
// @prisma/driver-adapter-utils), which it turns into a char value. The
// describer's other "char" reads (confdeltype, confupdtype) accept either.
const CHAR_OID = 18;
const COLUMN_TYPE_CHARACTER = 6;

interface FieldDescription {
  dataTypeID: number;
  catalogTypeID?: number;
}

interface RowDescription {
  fields: FieldDescription[];
}

class CatalogTextClient extends pg.Client {
  _handleRowDescription(message: RowDescription): void {
    for (const field of message.fields) {
      const relabel = relabelled.get(field.dataTypeID);
      if (relabel === undefined) continue;
      // Kept on the field object, which pg hands on as result.fields[i].
      field.catalogTypeID = field.dataTypeID;
      field.dataTypeID = relabel;
    }
    (pg.Client.prototype as unknown as { _handleRowDescription(m: RowDescription): void })._handleRowDescription.call(this, message);
  }
}

/**
 * Makes queryRaw report relabelled "char" columns as Character. The adapter's
 * queryRaw computes column types from performIO's fields and drops them, so
 * performIO notes the "char" columns per query object for queryRaw to fix.
 */
function reportCharColumns(queryable: Queryable): void {
  const io = queryable as unknown as { performIO(query: SqlQuery): Promise<{ fields?: FieldDescription[] }> };
  const performIO = io.performIO.bind(io);
  const charColumns = new WeakMap<SqlQuery, number[]>();
  io.performIO = async (query) => {
    const result = await performIO(query);
    // executeRaw goes through here too, and a multi-statement script yields an array of results.
    const columns = (result.fields ?? []).flatMap((field, i) => (field.catalogTypeID === CHAR_OID ? [i] : []));
    if (columns.length > 0) charColumns.set(query, columns);
    return result;
  };
  const queryRaw = queryable.queryRaw.bind(queryable);
  queryable.queryRaw = async (query) => {
    const result = await queryRaw(query);
    for (const i of charColumns.get(query) ?? []) result.columnTypes[i] = COLUMN_TYPE_CHARACTER as never;
    charColumns.delete(query);
    return result;
  };
}

async function adminQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(url: string, sql: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql)).rows;
  } finally {
    await client.end();
  }
}

// Shadow databases are named after the creating process, so a leftover one
// can be told from one in use: prisma_shadow_<pid>_<32 hex>.
const SHADOW_PREFIX = 'prisma_shadow_';
const SHADOW_NAME = /^prisma_shadow_(\d+)_[0-9a-f]{32}$/;

// Shadow databases this process created and has not dropped yet, by name,
// with the URL of the database to drop them from.
const liveShadows = new Map<string, string>();

/**
 * A failing command (an engine panic, a migration that does not apply) never
 * calls the shadow adapter's dispose. 'exit' handlers must be synchronous, so
 * a child node process drops whatever is left.
 */
function dropLiveShadowsOnExit(): void {
  if (liveShadows.size === 0) return;
  const script = `
    const pg = require(process.env.PG_MODULE);
    (async () => {
      for (const [name, url] of JSON.parse(process.env.SHADOWS)) {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try { await client.query('DROP DATABASE IF EXISTS "' + name + '" WITH (FORCE)'); } finally { await client.end(); }
      }
    })().catch((error) => { console.error('Could not drop shadow database:', error.message); process.exitCode = 1; });`;
  spawnSync(process.execPath, ['-e', script], {
    env: { ...process.env, PG_MODULE: createRequire(import.meta.url).resolve('pg'), SHADOWS: JSON.stringify([...liveShadows]) },
    stdio: ['ignore', 'ignore', 'inherit'],
    timeout: 15_000,
  });
  liveShadows.clear();
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Drops shadow databases left by processes that are gone (killed before the
 * exit handler could run). Without FORCE, so one still in use (say by a
 * process on another host) is left alone.
 */
async function dropStaleShadows(url: string): Promise<void> {
  const rows = await adminQuery<{ datname: string }>(url, `SELECT datname FROM pg_database WHERE starts_with(datname, '${SHADOW_PREFIX}')`);
  for (const { datname } of rows) {
    const pid = SHADOW_NAME.exec(datname)?.[1];
    if (pid === undefined || Number(pid) === process.pid || processIsAlive(Number(pid))) continue;
    await adminQuery(url, `DROP DATABASE IF EXISTS "${datname}"`).catch(() => undefined);
  }
}

export class MigratePg extends PrismaPg {
  constructor(private readonly url: string) {
    // allowExitOnIdle: otherwise the CLI waits on idle pooled clients.
    super({ connectionString: url, allowExitOnIdle: true, Client: CatalogTextClient } as pg.PoolConfig);
  }

  override async connect(): Promise<Adapter> {
    const adapter = await super.connect();
    // The stock executeScript splits on ';', breaking $$ bodies. One query
    // also makes each migration script atomic.
    adapter.executeScript = async (script: string) => {
      try {
        await adapter.underlyingDriver().query(script);
      } catch (error) {
        (adapter as unknown as { onError(e: unknown): never }).onError(error);
      }
    };
    reportCharColumns(adapter);
    const startTransaction = adapter.startTransaction.bind(adapter);
    adapter.startTransaction = async (isolationLevel) => {
      const transaction = await startTransaction(isolationLevel);
      reportCharColumns(transaction);
      return transaction;
    };
    return adapter;
  }

  // The stock version connects to the main database and drops the shadow
  // before closing its pool; this one uses a fresh database and cleans up,
  // also when the command fails (see dropLiveShadowsOnExit).
  override async connectToShadowDb(): Promise<Adapter> {
    await dropStaleShadows(this.url);
    const name = `${SHADOW_PREFIX}${process.pid}_${randomUUID().replaceAll('-', '')}`;
    if (!process.listeners('exit').includes(dropLiveShadowsOnExit)) process.once('exit', dropLiveShadowsOnExit);
    liveShadows.set(name, this.url);
    await adminQuery(this.url, `CREATE DATABASE "${name}"`);
    const shadowUrl = new URL(this.url);
    shadowUrl.pathname = `/${name}`;
    const adapter = await new MigratePg(shadowUrl.toString()).connect();
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      try {
        await dispose();
      } finally {
        await adminQuery(this.url, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        liveShadows.delete(name);
      }
    };
    return adapter;
  }
}
