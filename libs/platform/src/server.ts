import { realpathSync } from 'node:fs';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import type { DescService } from '@bufbuild/protobuf';
import type { ConnectRouter } from '@connectrpc/connect';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import type { Registry } from 'prom-client';
import { errorInterceptor, type ErrorMapper } from './errors';
import { HealthState } from './health';
import type { Logger } from './logger';
import { createRegistry, rpcMetricsInterceptor } from './metrics';
import { startMetricsServer } from './metrics-server';
import { tracingServerInterceptor } from './tracing';
import { validationInterceptor } from './validation';

/** The part of an app's configuration the server reads (see serviceConfigShape). */
export interface ServerConfig {
  HOST: string;
  /** 0 picks a free port (tests). */
  PORT: number;
  METRICS_PORT: number;
  SHUTDOWN_GRACE_MS: number;
}

export interface RpcServerOptions {
  app: string;
  config: ServerConfig;
  logger: Logger;
  /** The services this server answers, for health reporting. */
  services: DescService[];
  routes: (router: ConnectRouter) => void;
  errorMappers?: ErrorMapper[];
  /** Readiness beyond "the process is up", e.g. the database answers. */
  ready?: () => Promise<boolean>;
  registry?: Registry;
  /** Runs after the last call has finished, e.g. to close database pools. */
  onClose?: () => Promise<void>;
}

export interface RpcServer {
  /** http://host:port, for Connect and gRPC clients. */
  url: string;
  metricsUrl: string;
  registry: Registry;
  health: HealthState;
  logger: Logger;
  /** Stops taking calls, lets in-flight calls finish (up to the grace period), closes. */
  close(): Promise<void>;
}

function listen(server: http2.Http2Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

/**
 * One RPC server as every OMS service runs it: Connect, gRPC and gRPC-Web
 * over HTTP/2 (h2c) on `port`, grpc.health.v1, and Prometheus /metrics over
 * HTTP/1.1 on `metricsPort` (scrapers speak HTTP/1.1; the RPC port is h2c).
 */
export async function startRpcServer(options: RpcServerOptions): Promise<RpcServer> {
  const { logger } = options;
  const registry = options.registry ?? createRegistry(options.app);
  const health = new HealthState(
    options.services.map((s) => s.typeName),
    options.ready,
  );
  const handler = connectNodeAdapter({
    routes: (router) => {
      options.routes(router);
      health.register(router);
    },
    // Outermost first: every call is traced (its logs carry the trace) and counted, every error mapped and logged, and only valid requests reach a handler.
    interceptors: [tracingServerInterceptor(), rpcMetricsInterceptor(registry), errorInterceptor(logger, options.errorMappers ?? []), validationInterceptor()],
  });

  const rpc = http2.createServer(handler);
  const sessions = new Set<http2.ServerHttp2Session>();
  rpc.on('session', (session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });

  const { HOST: host } = options.config;
  const port = await listen(rpc, host, options.config.PORT);
  const metrics = await startMetricsServer({ host, port: options.config.METRICS_PORT, registry, logger });
  logger.info({ port, metrics: metrics.url }, `${options.app} listening`);

  let closing: Promise<void> | undefined;
  const close = async () => {
    health.startDraining();
    const stopped = new Promise<void>((resolve) => rpc.close(() => resolve()));
    // Ask each client connection to finish its in-flight calls and go away.
    for (const session of sessions) session.close();
    const grace = setTimeout(() => {
      logger.warn({ open: sessions.size }, 'grace period over, closing connections');
      for (const session of sessions) session.destroy();
    }, options.config.SHUTDOWN_GRACE_MS);
    await stopped;
    clearTimeout(grace);
    await metrics.close();
    await options.onClose?.();
    logger.info(`${options.app} stopped`);
  };

  return {
    url: `http://${host}:${port}`,
    metricsUrl: metrics.url,
    registry,
    health,
    logger,
    close: () => (closing ??= close()),
  };
}

/**
 * Runs `stop` once on SIGTERM or SIGINT, then exits: 0 when it finished,
 * 1 when it failed. A second signal exits at once.
 */
export function stopOnSignals(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, 'shutting down');
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}

/** True when this module is the process's entry point (node/tsx main.ts, or its bundle). */
export function isEntryPoint(moduleUrl: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && moduleUrl === pathToFileURL(realpathSync(entry)).href;
}

export type Stoppable = Pick<RpcServer, 'logger' | 'close'>;

/**
 * The body of every main.ts: start the app, stop it cleanly on SIGTERM or
 * SIGINT, and exit 1 with the reason when it cannot start (e.g. bad config).
 */
export function runApp(moduleUrl: string, start: () => Promise<Stoppable>): void {
  if (!isEntryPoint(moduleUrl)) return;
  start().then(
    (app) => stopOnSignals(app.logger, () => app.close()),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
