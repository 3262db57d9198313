/**
 * docker-compose.yml without Docker: .tools/bin/compose-config (built from
 * deploy/checks/cmd/compose-config with compose-go, the library of `docker
 * compose config`) must accept it with and without the observability profile,
 * with .env.example or no settings at all; and the model it resolves must
 * start things in the right order (migrations, then services, then the
 * gateway and the worker), check every app's health, publish only the
 * gateway and the UIs, and use exactly the variables .env.example documents.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml, parseDocument } from 'yaml';
import { services as rpcServices, shardDatabases, shardUrlsEnv, workspaceRoot } from '@oms/devstack';
import { afterAll, describe, expect, it } from 'vitest';

interface Service {
  image: string;
  build?: { context: string; dockerfile: string; args?: Record<string, string> };
  command?: string[] | null;
  environment?: Record<string, string | null>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  ports?: { host_ip?: string; target: number; published: string }[];
  profiles?: string[];
  volumes?: { type: string; source: string; target: string }[];
}
interface Model {
  services: Record<string, Service>;
}

const tool = path.join(workspaceRoot, '.tools/bin/compose-config');
const composeFile = path.join(workspaceRoot, 'docker-compose.yml');
const envExample = path.join(workspaceRoot, '.env.example');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'oms-compose-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Writes a file into the scratch folder and returns its path. */
function scratchFile(name: string, text: string): string {
  const file = path.join(scratch, name);
  writeFileSync(file, text);
  return file;
}
const noSettings = scratchFile('empty.env', '');

/**
 * Runs compose-config. The environment holds only PATH and an env file is
 * always named, so neither the caller's variables nor a developer's .env leak in.
 */
function composeConfig(options: { file?: string; envFile?: string; profiles?: string[] } = {}) {
  expect(existsSync(tool), `${tool} is missing: build it with \`cd deploy/checks && GOBIN=$PWD/../../.tools/bin go install ./cmd/compose-config\``).toBe(true);
  const args = ['--format', 'json', '--project-directory', workspaceRoot, '-f', options.file ?? composeFile, '--env-file', options.envFile ?? noSettings];
  for (const profile of options.profiles ?? []) args.push('--profile', profile);
  return spawnSync(tool, args, { encoding: 'utf8', env: { PATH: process.env.PATH } });
}

function load(options: Parameters<typeof composeConfig>[0] = {}): Model {
  const result = composeConfig(options);
  expect(result.status, `compose-config rejected the compose file:\n${result.stderr}`).toBe(0);
  return JSON.parse(result.stdout) as Model;
}

const apps = [...rpcServices.map((s) => s.app), 'orchestrator', 'gateway'];
const observability = ['jaeger', 'prometheus', 'grafana'];
const model = load();
const withObservability = load({ profiles: ['observability'] });

describe('docker-compose.yml', () => {
  it('is accepted with no settings, and .env.example holds exactly the defaults', () => {
    expect(load({ envFile: envExample })).toEqual(model);
  });

  it('runs the observability tools only with their profile', () => {
    for (const name of observability) {
      expect(model.services[name], name).toBeUndefined();
      expect(withObservability.services[name]?.profiles, name).toEqual(['observability']);
    }
    expect(Object.keys(withObservability.services).sort()).toEqual([...Object.keys(model.services), ...observability].sort());
  });

  it('builds every app from deploy/docker/Dockerfile as oms/<app>, and pins every other image', () => {
    for (const app of apps) {
      const service = model.services[app]!;
      expect(service.build, app).toEqual({ context: workspaceRoot, dockerfile: 'deploy/docker/Dockerfile', args: { APP: app } });
      expect(service.image, app).toBe(`oms/${app}:dev`);
    }
    const others = Object.entries(withObservability.services).filter(([, s]) => !s.image.startsWith('oms/'));
    for (const [name, service] of others) expect(service.image, name).toMatch(/:v?\d+\.\d+(\.\d+)?$/);
  });

  it('checks the health of every app with dist/healthcheck.js, and of Postgres and Temporal', () => {
    for (const app of apps) expect(model.services[app]!.healthcheck?.test, app).toEqual(['CMD', 'node', 'dist/healthcheck.js']);
    expect(model.services.postgres!.healthcheck?.test).toContain('pg_isready');
    expect(model.services.temporal!.healthcheck?.test.slice(1)).toEqual(['/temporal', 'operator', 'cluster', 'health', '--address', '127.0.0.1:7233']);
  });

  it('migrates each service database (every shard) after Postgres is healthy, and starts the service after its migration succeeded', () => {
    for (const s of rpcServices) {
      const { app, database } = s;
      const service = model.services[app]!;
      const migration = model.services[`migrate-${app}`];
      expect(migration, `migrate-${app}`).toBeDefined();
      expect(migration!.command).toEqual(['node', 'dist/migrate.js']);
      expect(migration!.image).toBe(service.image);
      expect(migration!.depends_on).toEqual({ postgres: expect.objectContaining({ condition: 'service_healthy' }) });
      expect(service.depends_on).toEqual({ [`migrate-${app}`]: expect.objectContaining({ condition: 'service_completed_successfully' }) });
      const url = (name: string) => `postgres://postgres:oms-dev-only-postgres-password@postgres:5432/${name}`;
      const databases = { DATABASE_URL: url(database), ...shardUrlsEnv(app, shardDatabases(s).map(url)) };
      expect(migration!.environment).toEqual(databases);
      expect(service.environment).toEqual(expect.objectContaining(databases));
    }
  });

  it('starts the gateway and the worker after every service and Temporal are healthy, pointing them there', () => {
    const healthy = expect.objectContaining({ condition: 'service_healthy' });
    const expected = Object.fromEntries([...rpcServices.map((s) => s.app), 'temporal'].map((name) => [name, healthy]));
    for (const app of ['gateway', 'orchestrator']) {
      const service = model.services[app]!;
      expect(service.depends_on, app).toEqual(expected);
      expect(service.environment?.TEMPORAL_ADDRESS, app).toBe('temporal:7233');
      for (const { app: target, port } of rpcServices) {
        const variable = `${target.replace('-service', '').toUpperCase()}_SERVICE_URL`;
        expect(service.environment?.[variable], `${app} ${variable}`).toBe(`http://${target}:${port}`);
      }
    }
  });

  it('publishes only the gateway, the Temporal UI and the observability UIs, on localhost by default', () => {
    const published = Object.entries(withObservability.services).flatMap(([name, s]) => (s.ports ?? []).map((p) => ({ name, ...p })));
    expect(published.map((p) => `${p.name}:${p.target}`).sort()).toEqual(['gateway:8080', 'grafana:3000', 'jaeger:16686', 'prometheus:9090', 'temporal:8233']);
    for (const port of published) expect(port.host_ip, port.name).toBe('127.0.0.1');
  });

  it('takes its settings from the env file', () => {
    const envFile = scratchFile('custom.env', 'GATEWAY_PORT=18080\nPOSTGRES_PASSWORD=not-the-default\nOMS_TAG=1.2.3\n');
    const custom = load({ envFile });
    expect(custom.services.gateway!.ports?.[0]?.published).toBe('18080');
    expect(custom.services.postgres!.environment?.POSTGRES_PASSWORD).toBe('not-the-default');
    for (const { app } of rpcServices) {
      expect(custom.services[app]!.environment?.DATABASE_URL).toContain(':not-the-default@postgres:5432/');
      expect(custom.services[`migrate-${app}`]!.image).toBe(`oms/${app}:1.2.3`);
    }
  });
});

describe('.env.example', () => {
  const text = readFileSync(envExample, 'utf8');
  const assignments = [...text.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map(([, name]) => name!);

  it('sets exactly the variables docker-compose.yml reads', () => {
    const withoutComments = readFileSync(composeFile, 'utf8').replace(/^\s*#.*$/gm, '');
    const used = new Set([...withoutComments.matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map(([, name]) => name!));
    expect([...new Set(assignments)].sort()).toEqual([...used].sort());
    expect(assignments.length, 'a variable is set twice').toBe(new Set(assignments).size);
  });

  it('documents every variable: each group of settings starts with a comment', () => {
    for (const block of text.split(/\n\s*\n/)) {
      if (/^[A-Z]/m.test(block)) expect(block.trimStart(), block).toMatch(/^#/);
    }
  });
});

describe('deploy/prometheus/prometheus.compose.yml', () => {
  const read = (file: string) =>
    parseYaml(readFileSync(path.join(workspaceRoot, 'deploy/prometheus', file), 'utf8')) as {
      rule_files: string[];
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
  const local = read('prometheus.yml');
  const compose = read('prometheus.compose.yml');

  it("has prometheus.yml's jobs, rules and ports, with compose service names as hosts", () => {
    expect(compose.rule_files).toEqual(local.rule_files);
    const targets = (config: typeof local) => config.scrape_configs.map((job) => [job.job_name, job.static_configs.flatMap((c) => c.targets)]);
    const expected = targets(local).map(([job, hosts]) => [job, (hosts as string[]).map((host) => host.replace(/^[^:]+/, job as string))]);
    expect(targets(compose)).toEqual(expected);
    for (const [job] of expected) expect(withObservability.services[job as string], `${job as string} is a compose service`).toBeDefined();
  });

  it('is what the Prometheus service loads, beside the rule files', () => {
    const prometheus = withObservability.services.prometheus!;
    const mounts = Object.fromEntries((prometheus.volumes ?? []).map((v) => [v.target, v.source]));
    expect(prometheus.command).toContain('--config.file=/etc/prometheus/prometheus.compose.yml');
    for (const file of ['prometheus.compose.yml', ...compose.rule_files]) {
      expect(mounts[`/etc/prometheus/${file}`], file).toBe(path.join(workspaceRoot, 'deploy/prometheus', file));
    }
  });
});

describe('Grafana in compose', () => {
  it('is provisioned from deploy/grafana, with the Prometheus service as its data source', () => {
    const grafana = withObservability.services.grafana!;
    const mounts = Object.fromEntries((grafana.volumes ?? []).map((v) => [v.target, v.source]));
    const provider = parseYaml(readFileSync(path.join(workspaceRoot, 'deploy/grafana/provisioning/dashboards/oms.yml'), 'utf8')) as {
      providers: { options: { path: string } }[];
    };
    expect(mounts['/etc/grafana/provisioning']).toBe(path.join(workspaceRoot, 'deploy/grafana/provisioning'));
    expect(mounts[provider.providers[0]!.options.path]).toBe(path.join(workspaceRoot, 'deploy/grafana/dashboards'));
    expect(grafana.environment?.PROMETHEUS_URL).toBe('http://prometheus:9090');
  });
});

describe('compose-config', () => {
  /** docker-compose.yml with one change, written to the scratch folder. */
  function broken(name: string, change: (doc: ReturnType<typeof parseDocument>) => void): string {
    const doc = parseDocument(readFileSync(composeFile, 'utf8'), { merge: true });
    change(doc);
    return scratchFile(name, doc.toString());
  }

  it('rejects depends_on an unknown service, saying which', () => {
    const file = broken('unknown-dependency.yml', (doc) =>
      doc.setIn(['services', 'payment-service', 'depends_on', 'nowhere'], { condition: 'service_healthy' }),
    );
    const result = composeConfig({ file });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('service "payment-service" depends on undefined service "nowhere"');
  });

  it('rejects an unknown key, naming it', () => {
    const file = broken('unknown-key.yml', (doc) => doc.setIn(['services', 'order-service', 'healthchek'], { test: ['CMD', 'true'] }));
    const result = composeConfig({ file });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('services.order-service.healthchek');
    expect(result.stderr).toContain('the compose specification has no such key');
  });
});
