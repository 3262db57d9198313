import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from './logger';

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Prometheus /metrics (and /healthz) over HTTP/1.1, as scrapers and probes
 * expect. `more` appends text from another exporter (e.g. the Temporal SDK's).
 */
export async function startMetricsServer(options: {
  host: string;
  port: number;
  registry: Registry;
  logger: Logger;
  more?: () => Promise<string>;
}): Promise<MetricsServer> {
  const { registry, logger } = options;
  const server = http.createServer((req, res) => {
    if (req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    Promise.all([registry.metrics(), options.more?.() ?? ''])
      .then(([ours, theirs]) => res.writeHead(200, { 'content-type': registry.contentType }).end(`${ours}\n${theirs}`))
      .catch((error: unknown) => {
        logger.error({ err: error }, 'metrics collection failed');
        res.writeHead(500).end();
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
