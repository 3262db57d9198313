import { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';

type Adapter = Awaited<ReturnType<PrismaPg['connect']>>;
type Transaction = Awaited<ReturnType<Adapter['startTransaction']>>;

/**
 * PrismaPg, except that a transaction whose COMMIT or ROLLBACK fails (the
 * database went away mid-transaction) gives its connection back to the pool
 * as broken. Prisma 6.19 releases the connection only after those statements
 * succeed, so every such transaction leaked a pool slot: after
 * DATABASE_POOL_SIZE of them (one database restart under load) the service
 * timed out on every call until it was restarted.
 */
class PoolSafePrismaPg extends PrismaPg {
  /** The pools this factory opened (one per connect, on the client's first query), for the pool metrics. */
  readonly pools: pg.Pool[] = [];

  constructor(
    readonly poolSize: number,
    config: pg.PoolConfig,
  ) {
    super({ ...config, max: poolSize });
  }

  override async connect(): Promise<Adapter> {
    const adapter = await super.connect();
    this.pools.push(adapter.underlyingDriver());
    const startTransaction = adapter.startTransaction.bind(adapter);
    adapter.startTransaction = async (isolationLevel) => releasedWhenEndFails(await startTransaction(isolationLevel));
    return adapter;
  }
}

function releasedWhenEndFails(tx: Transaction): Transaction {
  const executeRaw = tx.executeRaw.bind(tx);
  tx.executeRaw = async (query) => {
    try {
      return await executeRaw(query);
    } catch (error) {
      // Released with the error, the pool destroys the connection instead of reusing it.
      if (query.sql === 'COMMIT' || query.sql === 'ROLLBACK') (tx as unknown as { client: pg.PoolClient }).client.release(error as Error);
      throw error;
    }
  };
  return tx;
}

/**
 * The driver adapter every service's PrismaClient runs on (no Rust engine).
 * A connection attempt gives up after 5 s: pg waits forever by default, so
 * a server that drops packets (rather than refusing) would hold pool slots,
 * and the calls queued behind them, until the operating system gave up.
 */
export function pgAdapter(databaseUrl: string, poolSize = 10): PoolSafePrismaPg {
  return new PoolSafePrismaPg(poolSize, { connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
}
