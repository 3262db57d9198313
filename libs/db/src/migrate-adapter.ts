/**
 * A PrismaPg factory for Prisma Migrate only (used by each service's
 * prisma.config.ts). @prisma/adapter-pg 6.19 cannot run migrations as it is;
 * see shared/ENVIRONMENT.md. This subclass mends the four known faults.
 */
import { randomUUID } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';

type Adapter = Awaited<ReturnType<PrismaPg['connect']>>;

// The adapter rejects catalog column types name (19), "char" (18) and
// pg_node_tree (194), which Migrate reads from pg_catalog: call them text.
const relabelled = new Map<number, number>([
  [19, 25],
  [18, 25],
  [194, 25],
  [1003, 1009],
  [1002, 1009],
]);

interface RowDescription {
  fields: { dataTypeID: number }[];
}

class CatalogTextClient extends pg.Client {
  _handleRowDescription(message: RowDescription): void {
    for (const field of message.fields) field.dataTypeID = relabelled.get(field.dataTypeID) ?? field.dataTypeID;
    (pg.Client.prototype as unknown as { _handleRowDescription(m: RowDescription): void })._handleRowDescription.call(
      this,
      message,
    );
  }
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
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
    return adapter;
  }

  // The stock version connects to the main database and drops the shadow
  // before closing its pool; this one uses a fresh database and cleans up.
  override async connectToShadowDb(): Promise<Adapter> {
    const name = `prisma_shadow_${randomUUID().replaceAll('-', '')}`;
    await adminQuery(this.url, `CREATE DATABASE "${name}"`);
    const shadowUrl = new URL(this.url);
    shadowUrl.pathname = `/${name}`;
    const adapter = await new MigratePg(shadowUrl.toString()).connect();
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await dispose();
      await adminQuery(this.url, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    };
    return adapter;
  }
}
