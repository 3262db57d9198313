import { EventEmitter, on } from 'node:events';
import { Code, ConnectError, type ConnectRouter } from '@connectrpc/connect';
import { create } from '@bufbuild/protobuf';
import {
  Health,
  HealthCheckResponse_ServingStatus as Status,
  HealthCheckResponseSchema,
  HealthListResponseSchema,
  type HealthCheckResponse,
} from '@oms/contracts/health/v1';

/**
 * The standard grpc.health.v1 service, as Kubernetes probes and grpc-health-probe
 * expect: "" is the whole server, and each served service has its own entry.
 * A server is SERVING while started and its readiness check passes, and
 * NOT_SERVING once it begins to shut down.
 */
export class HealthState {
  private readonly changes = new EventEmitter();
  private draining = false;

  constructor(
    private readonly services: string[],
    private readonly ready: () => Promise<boolean> = async () => true,
  ) {
    this.changes.setMaxListeners(0);
  }

  startDraining(): void {
    this.draining = true;
    this.changes.emit('change');
  }

  async status(service: string): Promise<Status> {
    if (service !== '' && !this.services.includes(service)) return Status.SERVICE_UNKNOWN;
    if (this.draining) return Status.NOT_SERVING;
    const ok = await this.ready().catch(() => false);
    return ok ? Status.SERVING : Status.NOT_SERVING;
  }

  register(router: ConnectRouter): void {
    router.service(Health, {
      check: async ({ service }) => {
        const status = await this.status(service);
        if (status === Status.SERVICE_UNKNOWN) throw new ConnectError(`unknown service "${service}"`, Code.NotFound);
        return { status };
      },
      list: async () => {
        const statuses: Record<string, HealthCheckResponse> = {};
        for (const name of ['', ...this.services]) {
          statuses[name] = create(HealthCheckResponseSchema, { status: await this.status(name) });
        }
        return create(HealthListResponseSchema, { statuses });
      },
      watch: ({ service }, context) => this.watch(service, context.signal),
    });
  }

  /** Sends the status now and again whenever it changes, until the caller goes away. */
  private async *watch(service: string, signal: AbortSignal): AsyncGenerator<{ status: Status }> {
    const changes = on(this.changes, 'change', { signal });
    let last: Status | undefined;
    do {
      const status = await this.status(service);
      if (status !== last) yield { status };
      last = status;
    } while (!(await changes.next()).done);
  }
}
