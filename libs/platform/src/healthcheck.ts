/**
 * Each image's dist/healthcheck.js (compose's healthcheck): asks the app's own
 * health endpoint on localhost and exits 0 when it answers healthy, else 1
 * with a one-line reason. Services answer grpc.health.v1 Check; the gateway
 * and the orchestrator answer HTTP GET /healthz.
 */
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { Health, HealthCheckResponse_ServingStatus as Status } from '@oms/contracts/health/v1';
import { env, loadConfig } from './config';

export interface HealthcheckTarget {
  protocol: 'grpc' | 'http';
  /** The app's setting that holds the port, and its default (as in the app's main.ts). */
  portVariable: 'PORT' | 'METRICS_PORT';
  defaultPort: number;
}

const timeoutMs = 3000;

async function check({ protocol, port }: { protocol: HealthcheckTarget['protocol']; port: number }): Promise<string | undefined> {
  const baseUrl = `http://127.0.0.1:${port}`;
  if (protocol === 'grpc') {
    const health = createClient(Health, createGrpcTransport({ baseUrl, defaultTimeoutMs: timeoutMs }));
    const { status } = await health.check({ service: '' });
    return status === Status.SERVING ? undefined : `${baseUrl} grpc.health.v1 status ${Status[status]}`;
  }
  const response = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(timeoutMs) });
  return response.ok ? undefined : `${baseUrl}/healthz answered HTTP ${response.status}`;
}

/** Runs the check and sets the exit code; never throws. */
export async function runHealthcheck(target: HealthcheckTarget, environment: Record<string, string | undefined> = process.env): Promise<void> {
  try {
    const config = loadConfig({ [target.portVariable]: env.port(target.defaultPort) }, environment);
    const problem = await check({ protocol: target.protocol, port: config[target.portVariable] as number });
    if (problem) throw new Error(problem);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    console.error(`unhealthy: ${reason.split('\n').join(' ')}`);
    process.exitCode = 1;
  }
}
