/**
 * The one-command launcher, as a newcomer runs it: `npm start` brings the
 * whole system up (a copy of its own: own databases, free ports, beside any
 * copy already running), the demo places its four orders through the
 * gateway, an app that dies is restarted, and SIGTERM stops everything,
 * leaving no process and no open port behind.
 */
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Health, HealthCheckResponse_ServingStatus } from '@oms/contracts/health/v1';
import { serviceClient } from '@oms/platform';
import { appDatabases, launchSystem, removeInstance, services, shardDatabases, type RunningSystem, type SystemState } from '@oms/devstack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const instance = `launcher_${process.pid}`;

function run(script: string, env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d));
  child.stderr.on('data', (d: Buffer) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { exited, output: () => output };
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs: number, output: () => string): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !(await condition());) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms; output:\n${output()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => resolve(!socket.destroy()));
    socket.once('error', () => resolve(false));
  });

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Every port the copy listens on, from its system.json. */
const portsOf = (state: SystemState) =>
  [state.temporalAddress, state.temporalUiUrl, ...Object.values(state.apps).flatMap((a) => [a.url, a.metricsUrl])]
    .filter((where): where is string => !!where)
    .map((where) => Number(new URL(where.includes('//') ? where : `tcp://${where}`).port));

const serving = (url: string) =>
  serviceClient(Health, url, 2_000)
    .check({})
    .then(
      (r) => r.status === HealthCheckResponse_ServingStatus.SERVING,
      () => false,
    );

describe('npm start', () => {
  let system: RunningSystem;
  let started: SystemState;

  beforeAll(async () => {
    // Fails at once (with its output) if the launcher exits before it is up.
    system = await launchSystem({ instance, timeoutMs: 240_000 });
    started = system.state();
  }, 250_000);

  afterAll(async () => {
    await system?.stop();
    await removeInstance(instance);
  });

  it('runs a copy on databases of its own and serves the demo', async () => {
    expect(system.output()).toContain(`${started.gatewayUrl}/docs`);
    for (const s of services) {
      const databases = appDatabases(started, s.app).map((url) => new URL(url).pathname);
      expect(databases).toEqual([s.database, ...shardDatabases(s)].map((d) => `/${d}_${instance}`));
    }
    expect(system.output()).toContain(`2 shards: oms_order_${instance}, oms_order_shard1_${instance}`);

    // The demo finds the instance's gateway in its system.json.
    const demo = run('scripts/demo.ts', { OMS_INSTANCE: instance });
    expect(await demo.exited, demo.output()).toBe(0);
    for (const [expected, status, reason] of [
      ['succeeds', 'COMPLETED', ''],
      ['is declined', 'CANCELLED', 'payment declined'],
      ['is short of stock, then amended', 'COMPLETED', ''],
      ['is cancelled', 'CANCELLED', 'changed my mind'],
    ]) {
      expect(demo.output()).toMatch(new RegExp(`\\| ${expected} \\| ${status} \\| ${reason}`));
    }
  });

  it('restarts an app that dies, on the same port', async () => {
    const app = 'inventory-service';
    const before = started.apps[app]!;
    process.kill(before.pid, 'SIGKILL');
    await until(() => system.output().includes(`${app} is back (restart #1)`), `${app} did not come back`, 60_000, system.output);
    expect(system.output()).toMatch(new RegExp(`${app} exited unexpectedly \\(SIGKILL\\); restarting in \\d+ ms`));

    const after = system.state().apps[app]!;
    expect(after).toMatchObject({ url: before.url, metricsUrl: before.metricsUrl, restarts: 1 });
    expect(after.pid).not.toBe(before.pid);
    expect(await serving(after.url!)).toBe(true);
    // The gateway sees it again (its /readyz checks every service).
    await until(async () => (await fetch(`${started.gatewayUrl}/readyz`)).ok, 'the gateway was not ready again', 30_000, system.output);
  });

  it('stops everything on SIGTERM, leaving nothing running or listening', async () => {
    const last = system.state();
    expect(await system.stop()).toBe(0);
    expect(system.output()).toMatch(/stopped \(exit codes 0, 0, 0, 0, 0, 0\)/);
    const pids = [last.temporalPid!, ...Object.values(last.apps).map((a) => a.pid)];
    expect(pids.filter(alive)).toEqual([]);
    const open = await Promise.all(portsOf(last).map(async (port) => ((await portOpen(port)) ? port : undefined)));
    expect(open.filter(Boolean)).toEqual([]);
  });
});
