/**
 * The faults: SIGKILL an app (the launcher's supervisor restarts it, as
 * Kubernetes would) or crash Postgres and start it again. Faults may overlap;
 * each one's recovery is awaited in the background, bounded, and all of them
 * before the run is judged.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { withClient } from '@oms/db';
import type { PostgresServer, RunningSystem } from '@oms/devstack';
import type { App, Fault } from './plan';

const recoveryTimeoutMs = 120_000;

export interface FaultRecord {
  fault: Fault;
  /** Orders placed when it fired. */
  placed: number;
  /** Until the app was back (a new pid, answering /healthz) or Postgres answered again. */
  recoveredInMs?: number;
}

const answers = (url: string) =>
  fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
    (r) => r.ok,
    () => false,
  );

const healthz = (metricsUrl: string) => answers(metricsUrl.replace(/\/metrics$/, '/healthz'));

export class Chaos {
  readonly done: FaultRecord[] = [];
  private readonly recovering = new Map<string, Promise<void>>();

  constructor(
    private readonly system: RunningSystem,
    private readonly postgres: PostgresServer,
    private readonly orderDbUrl: string,
    private readonly log: (line: string) => void,
  ) {}

  /** Fires the fault; its recovery is awaited by `healed()`. */
  async inject(fault: Fault, placed: number): Promise<void> {
    const what = fault.kind === 'kill' ? fault.app : 'postgres';
    await this.recovering.get(what); // never the same thing twice at once
    const record: FaultRecord = { fault, placed };
    this.done.push(record);
    const started = Date.now();
    const recovered = fault.kind === 'kill' ? (await this.kill(fault.app)).restarted : (await this.restartPostgres()).answering;
    this.log(`${fault.kind === 'kill' ? `killed ${fault.app}` : 'crashed and started Postgres'} at order ${placed}`);
    const back = recovered.then(() => {
      record.recoveredInMs = Date.now() - started;
      this.log(`${what} back after ${(record.recoveredInMs / 1000).toFixed(1)} s`);
    });
    back.catch(() => undefined); // handled: healed() rethrows it
    this.recovering.set(what, back);
  }

  /** Every fault healed and the whole system serving again: the gateway ready, the worker up. */
  async healed(): Promise<void> {
    await Promise.all(this.recovering.values());
    await this.until('the system ready after the faults', async () => {
      const { gatewayUrl, apps } = this.system.state();
      return (await answers(`${gatewayUrl}/readyz`)) && (await healthz(apps.orchestrator!.metricsUrl));
    });
  }

  /** Restarts counted by the supervisor (system.json), by app. */
  restarts(): Record<string, number> {
    return Object.fromEntries(Object.entries(this.system.state().apps).map(([app, a]) => [app, a.restarts]));
  }

  private async kill(app: App): Promise<{ restarted: Promise<void> }> {
    // It may be down already (say, it exited while Postgres was): then kill it once it is back.
    let pid = 0;
    await this.until(`${app} up, to be killed`, async () => {
      const now = this.system.state().apps[app];
      if (!now || !(await healthz(now.metricsUrl))) return false;
      try {
        process.kill(now.pid, 'SIGKILL');
        pid = now.pid;
        return true;
      } catch {
        return false; // gone meanwhile; system.json will name its successor
      }
    });
    // The supervisor rewrites system.json once the new process is ready.
    const restarted = this.until(`${app} restarted by the supervisor after SIGKILL (pid ${pid})`, async () => {
      const now = this.system.state().apps[app]!;
      return now.pid !== pid && (await healthz(now.metricsUrl));
    });
    return { restarted };
  }

  private async restartPostgres(): Promise<{ answering: Promise<void> }> {
    this.postgres.stop('immediate'); // a crash: the next start runs recovery
    await sleep(1_500);
    await this.postgres.start();
    return { answering: this.until('Postgres answering after its restart', () => withClient(this.orderDbUrl, async () => true).catch(() => false)) };
  }

  private async until(what: string, condition: () => Promise<boolean>): Promise<void> {
    for (const deadline = Date.now() + recoveryTimeoutMs; !(await condition()); await sleep(200)) {
      if (Date.now() > deadline) {
        throw new Error(`chaos: waited ${recoveryTimeoutMs / 1000} s for ${what}, in vain; launcher output (end):\n${this.system.output().slice(-4_000)}`);
      }
    }
  }
}
