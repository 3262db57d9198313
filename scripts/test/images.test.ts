/**
 * What each image holds, run for real without Docker: every app packaged by
 * scripts/package-app.ts (as the Dockerfile does) into a clean folder, its
 * production dependencies installed there with `npm ci --omit=dev`, then run
 * with plain `node` (no tsx, no dev dependencies): the services' migrate.js
 * against fresh databases, every app's main.js against real Postgres and a
 * Temporal dev server, each until its healthcheck.js says healthy.
 * `nx test scripts` builds the apps first (dependsOn in scripts/project.json).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { dropDatabase } from '@oms/db/migrations';
import { postgresServerUrl, services } from '@oms/devstack';
import { freePort } from '@oms/platform';
import { startTemporalDevServer } from '@oms/testing';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageApp } from '../package-app';

const apps = [...services.map((s) => s.app), 'orchestrator', 'gateway'];
const devOnly = /(^|\/)node_modules\/(tsx|vitest|typescript|esbuild|nx|@oms\/[^/]+)$/;

// In memory where there is /dev/shm: six installs are ~100k small files, which
// a disk mounted with `discard` (as on these machines) writes and deletes slowly.
const scratch = existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
const root = mkdtempSync(path.join(scratch, 'oms-images-'));
const folder = (app: string) => path.join(root, app);
const databaseUrl = (database: string) => {
  const url = new URL(postgresServerUrl());
  url.pathname = `/images_${process.pid}_${database}`;
  return url.toString();
};

interface Run {
  code: number | null;
  output: string;
}

/** Runs a command to its end, printing its lines prefixed with `label` when `echo` is set. */
function run(label: string, command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; echo?: boolean }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk;
      if (options.echo) for (const line of chunk.toString().trimEnd().split('\n')) console.log(`[${label}] ${line}`);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

// Only what an image's environment has: no NODE_OPTIONS (a tsx loader), no workspace paths.
const baseEnv = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production', HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
const node = (app: string, script: string, env: Record<string, string> = {}) =>
  run(app, process.execPath, [script], { cwd: folder(app), env: { ...baseEnv, ...env } });

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

/** Installs each distinct dependency set once (concurrently), then copies it to the apps that share it. */
async function installProductionDependencies(): Promise<void> {
  const byLock = new Map<string, string[]>();
  for (const app of apps) {
    const hash = createHash('sha256')
      .update(
        readFileSync(path.join(folder(app), 'package-lock.json'))
          .toString()
          .replace(`@oms/${app}`, ''),
      )
      .digest('hex');
    byLock.set(hash, [...(byLock.get(hash) ?? []), app]);
  }
  await Promise.all(
    [...byLock.values()].map(async ([first, ...others]) => {
      console.log(`[${first}] npm ci --omit=dev${others.length > 0 ? ` (shared with ${others.join(', ')})` : ''}`);
      const args = ['ci', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'];
      const { code, output } = await run(first!, 'npm', args, { cwd: folder(first!), env: process.env, echo: true });
      if (code !== 0) throw new Error(`npm ci in ${folder(first!)} failed:\n${output}`);
      for (const app of others) cpSync(path.join(folder(first!), 'node_modules'), path.join(folder(app), 'node_modules'), { recursive: true });
    }),
  );
}

const processes = new Map<string, { child: ChildProcess; output: string }>();
let temporal: TestWorkflowEnvironment | undefined;

beforeAll(async () => {
  for (const app of apps) {
    packageApp(app, folder(app));
    console.log(`[${app}] packaged into ${folder(app)}`);
  }
  await installProductionDependencies();
}, 600_000);

afterAll(async () => {
  await Promise.all(
    [...processes.values()].map(({ child }) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      return exited;
    }),
  );
  await temporal?.teardown();
  await Promise.all(services.map((s) => dropDatabase(databaseUrl(s.database))));
  rmSync(root, { recursive: true, force: true });
});

describe('app images', () => {
  it("the Dockerfile's runtime stage runs `node dist/main.js` as uid 1000 with no ENTRYPOINT, so compose and the Helm Jobs can run `node dist/migrate.js`", () => {
    const runtime = readFileSync(path.join(import.meta.dirname, '../../deploy/docker/Dockerfile'), 'utf8')
      .split(/^FROM /m)
      .at(-1)!;
    expect(runtime).toMatch(/^CMD \["node", "dist\/main\.js"\]$/m);
    expect(runtime).not.toMatch(/^ENTRYPOINT/m);
    expect(runtime).toMatch(/^USER 1000:1000$/m);
    expect(runtime).toMatch(/^ENV NODE_ENV=production HOST=0\.0\.0\.0 /m);
  });

  it.each(apps)('%s: production dependencies only', (app) => {
    const installed = Object.keys(JSON.parse(readFileSync(path.join(folder(app), 'node_modules', '.package-lock.json'), 'utf8')).packages);
    expect(installed.length).toBeGreaterThan(10);
    expect(installed.filter((location) => devOnly.test(location))).toEqual([]);
    expect(filesUnder(path.join(folder(app), 'dist'))).toEqual(expect.arrayContaining(['main.js', 'healthcheck.js']));
  });

  // Concurrently: each run of Prisma Migrate takes ~15 s, mostly waiting.
  it.concurrent.for(services)(
    '$app: migrate.js applies the migrations, then says up to date, writing nothing beside itself',
    async ({ app, database }, { expect }) => {
      const env = { DATABASE_URL: databaseUrl(database) };
      const before = filesUnder(folder(app));
      const migrations = readdirSync(path.join(folder(app), 'prisma', 'migrations'), { withFileTypes: true }).filter((e) => e.isDirectory());

      const first = await node(app, 'dist/migrate.js', env);
      expect(first.code, first.output).toBe(0);
      for (const { name } of migrations) expect(first.output).toContain(name);

      const second = await node(app, 'dist/migrate.js', env);
      expect(second.code, second.output).toBe(0);
      expect(second.output).toMatch(/up to date/);
      expect(filesUnder(folder(app))).toEqual(before);
    },
  );

  it('migrate.js fails with a clear message when the database cannot be reached', async () => {
    const { code, output } = await node('order-service', 'dist/migrate.js', { DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/nowhere` });
    expect(code).not.toBe(0);
    expect(output).toMatch(/^migrate failed: .*ECONNREFUSED/m);
  });

  it.each(apps)('%s: healthcheck.js exits 1 with a reason when nothing listens', async (app) => {
    const port = String(await freePort());
    const { code, output } = await node(app, 'dist/healthcheck.js', { PORT: port, METRICS_PORT: port });
    expect(code).toBe(1);
    expect(output.trim()).toMatch(/^unhealthy: .+/);
    expect(output.trim().split('\n')).toHaveLength(1);
  });

  it('every app starts with `node dist/main.js` until its healthcheck.js says healthy', async () => {
    temporal = await startTemporalDevServer();
    const ports = new Map<string, { PORT: string; METRICS_PORT: string }>();
    for (const app of apps) ports.set(app, { PORT: String(await freePort()), METRICS_PORT: String(await freePort()) });
    const serviceUrl = (app: string) => `http://127.0.0.1:${ports.get(app)!.PORT}`;
    const shared = {
      TEMPORAL_ADDRESS: temporal.address,
      ORDER_SERVICE_URL: serviceUrl('order-service'),
      PAYMENT_SERVICE_URL: serviceUrl('payment-service'),
      INVENTORY_SERVICE_URL: serviceUrl('inventory-service'),
      SHIPPING_SERVICE_URL: serviceUrl('shipping-service'),
      WORKFLOW_BUNDLE_PATH: path.join(folder('orchestrator'), 'dist', 'workflow-bundle.js'),
      GATEWAY_JWT_SECRET: 'images-test-jwt-secret-0123456789abcdef',
      CARRIER_WEBHOOK_SECRET: 'images-test-carrier-secret',
    };
    const envOf = (app: string) => ({
      ...baseEnv,
      ...shared,
      ...ports.get(app)!,
      ...Object.fromEntries(services.filter((s) => s.app === app).map((s) => ['DATABASE_URL', databaseUrl(s.database)])),
    });

    for (const app of apps) {
      const child = spawn(process.execPath, ['dist/main.js'], { cwd: folder(app), env: envOf(app), stdio: ['ignore', 'pipe', 'pipe'] });
      const entry = { child, output: '' };
      child.stdout.on('data', (d: Buffer) => (entry.output += d));
      child.stderr.on('data', (d: Buffer) => (entry.output += d));
      processes.set(app, entry);
    }

    await Promise.all(
      apps.map(async (app) => {
        const entry = processes.get(app)!;
        for (let attempt = 1; ; attempt++) {
          if (entry.child.exitCode !== null) throw new Error(`${app} exited (${entry.child.exitCode}) before it was healthy:\n${entry.output}`);
          const { code } = await node(app, 'dist/healthcheck.js', ports.get(app)!);
          if (code === 0) return console.log(`[${app}] healthy after ${attempt} check(s)`);
          await sleep(500);
        }
      }),
    );
    for (const app of apps) expect(processes.get(app)!.child.exitCode, app).toBeNull();
  });
});
