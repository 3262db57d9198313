/**
 * How every Prisma-backed service starts, so that each main.ts says only
 * what is its own (settings, client, handlers): configuration, the start-up
 * migration check, tracing, the database client, the RPC server with health and
 * metrics, and a shutdown that closes the databases after the last call.
 */
import { fileURLToPath } from 'node:url';
import type { DescService } from '@bufbuild/protobuf';
import type { ConnectRouter, ServiceImpl } from '@connectrpc/connect';
import { PrismaInstrumentation } from '@prisma/instrumentation';
import {
  createLogger,
  createRegistry,
  loadConfig,
  type Logger,
  startRpcServer,
  startTelemetry,
  type Config,
  type RpcServer,
  type ServiceConfigShape,
} from '@oms/platform';
import { mapDatabaseError } from './errors';
import type { SqlClient } from './idempotency';
import { databaseMetrics } from './database-metrics';
import { assertMigrated } from './migration-check';
import { pgAdapter } from './prisma';

/** What the kit needs of a generated PrismaClient. */
export type DatabaseClient = SqlClient & { $disconnect(): Promise<void> };

/** What a service's handlers are built from. */
export interface ServiceParts<Settings, Db> {
  config: Settings;
  /** The service's database client (pool of DATABASE_POOL_SIZE). */
  db: Db;
  /** The app's logger. */
  logger: Logger;
  /** The app's metrics registry, for its business metrics (src/metrics.ts). */
  registry: RpcServer['registry'];
  /** Another client on a pool of its own (of `poolSize`, on `databaseUrl`: by default the service's), disconnected at shutdown like `db`. */
  connect(databaseUrl?: string, poolSize?: number): Db;
  /** Runs at shutdown after the last call, before the databases disconnect. */
  onClose(close: () => Promise<void>): void;
  /** Serves another service on the same server (an admin service beside the main one). */
  serve<T extends DescService>(service: T, handlers: ServiceImpl<T>): void;
}

export interface PrismaService<S extends DescService, Shape extends ServiceConfigShape, Db extends DatabaseClient> {
  /** e.g. "order-service": names the logger, the metrics and the health entry. */
  app: string;
  service: S;
  /** serviceConfigShape(...) and the service's own settings. */
  config: Shape;
  /** The service's prisma/ folder: the start-up check compares its migrations with the database's. */
  prismaDir: URL;
  /** The app's generated client on the given adapter: `(adapter) => new PrismaClient({ adapter })`. */
  client: (adapter: ReturnType<typeof pgAdapter>) => Db;
  /** The pool of `db`, when not DATABASE_POOL_SIZE (a service with several databases splits that budget). */
  poolSize?: (config: Config<Shape>) => number;
  handlers: (parts: ServiceParts<Config<Shape>, Db>) => ServiceImpl<S> | Promise<ServiceImpl<S>>;
}

/** Starts the service; ready while its database answers. `env` defaults to the process's. */
export async function startPrismaService<S extends DescService, Shape extends ServiceConfigShape, Db extends DatabaseClient>(
  definition: PrismaService<S, Shape, Db>,
  env: Record<string, string | undefined> = process.env,
): Promise<RpcServer> {
  // Traces (when OTEL_* names an endpoint), with a span for each query Prisma runs.
  const telemetry = startTelemetry(definition.app, env, () => [new PrismaInstrumentation()]);
  // Shape extends the common settings, which TypeScript cannot see through zod's inferred type.
  const config = loadConfig(definition.config, env) as Config<Shape> & Config<ServiceConfigShape>;
  await assertMigrated(config.DATABASE_URL, fileURLToPath(definition.prismaDir));
  const clients: Db[] = [];
  const adapters: ReturnType<typeof pgAdapter>[] = [];
  const closers: (() => Promise<void>)[] = [];
  const connect = (databaseUrl = config.DATABASE_URL, poolSize = config.DATABASE_POOL_SIZE) => {
    const adapter = pgAdapter(databaseUrl, poolSize);
    adapters.push(adapter);
    const client = definition.client(adapter);
    clients.push(client);
    return client;
  };
  const db = connect(config.DATABASE_URL, definition.poolSize?.(config));
  const registry = createRegistry(definition.app);
  databaseMetrics(
    registry,
    () => adapters,
    () => db.$queryRawUnsafe('SELECT 1'),
  );
  const logger = createLogger(definition.app, config.LOG_LEVEL);
  const more: ((router: ConnectRouter) => void)[] = [];
  const services: DescService[] = [definition.service];
  const handlers = await definition.handlers({
    config,
    db,
    logger,
    registry,
    connect,
    onClose: (close) => closers.push(close),
    serve: (service, impl) => {
      services.push(service);
      more.push((router) => router.service(service, impl));
    },
  });
  return startRpcServer({
    app: definition.app,
    config,
    logger,
    services,
    routes: (router) => {
      router.service(definition.service, handlers);
      for (const route of more) route(router);
    },
    errorMappers: [mapDatabaseError],
    ready: async () => {
      await db.$queryRawUnsafe('SELECT 1');
      return true;
    },
    registry,
    onClose: async () => {
      for (const close of closers) await close();
      await Promise.all(clients.map((client) => client.$disconnect()));
      await telemetry.shutdown();
    },
  });
}
