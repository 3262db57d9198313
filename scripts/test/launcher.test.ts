/**
 * The one-command launcher, as a newcomer runs it: `npm start` brings the
 * whole system up (on shifted ports, beside any copy already running), the
 * demo places its four orders through the gateway, and SIGTERM stops
 * everything, leaving no process and no open port behind.
 */
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const offset = 10_000;
const ports = [8080, 7233, 8233, 50051, 50052, 50053, 50054, 9451, 9452, 9453, 9454, 9464].map((p) => p + offset);

function run(script: string, env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d));
  child.stderr.on('data', (d: Buffer) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, exited, output: () => output };
}

async function until(condition: () => boolean, what: string, timeoutMs: number, output: () => string): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !condition(); ) {
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

describe('npm start', () => {
  it('starts everything, serves the demo, and stops leaving nothing behind', async () => {
    const env = { OMS_PORT_OFFSET: String(offset) };
    const launcher = run('scripts/start.ts', env);
    try {
      await until(() => launcher.output().includes('OMS is up'), 'the system was not up', 240_000, launcher.output);
      expect(launcher.output()).toContain(`http://127.0.0.1:${8080 + offset}/docs`);

      const demo = run('scripts/demo.ts', env);
      expect(await demo.exited).toBe(0);
      for (const [expected, status, reason] of [
        ['succeeds', 'COMPLETED', ''],
        ['is declined', 'CANCELLED', 'payment declined'],
        ['is out of stock', 'CANCELLED', 'out of stock: LAMP-'],
        ['is cancelled', 'CANCELLED', 'changed my mind'],
      ]) {
        expect(demo.output()).toMatch(new RegExp(`\\| ${expected} \\| ${status} \\| ${reason}`));
      }
    } finally {
      launcher.child.kill('SIGTERM');
    }
    expect(await launcher.exited).toBe(0);
    expect(launcher.output()).toMatch(/stopped \(exit codes 0, 0, 0, 0, 0, 0\)/);
    const open = await Promise.all(ports.map(async (port) => ((await portOpen(port)) ? port : undefined)));
    expect(open.filter(Boolean)).toEqual([]);
  });
});
