/**
 * deploy/helm without a cluster, with the real helm (built from deploy/checks
 * by the set-up): every chart passes `helm lint --strict`; renders with its
 * defaults (plus the required Secret names) and with production-like values
 * (deploy/helm/oms/values-production-example.yaml); every rendered manifest
 * decodes strictly with the Kubernetes Go types (kube-strict); and the
 * policies hold: probes, resources and a restrictive securityContext on every
 * container, a NetworkPolicy over every pod that lets in only the callers it
 * should, HPAs, PDBs, a migration hook Job per service, required secrets.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments, parse as parseYaml, stringify } from 'yaml';
import { findDeployCheck, workspaceRoot } from '@oms/devstack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schemaFile, schemaText, valuesSchemas } from '../helm-schemas';

const helmDir = path.join(workspaceRoot, 'deploy/helm');
const services = ['order-service', 'payment-service', 'inventory-service', 'shipping-service'];
const apps = ['gateway', 'orchestrator', ...services];
const charts = [...apps, 'oms'];
const secretNames = ['--set', 'global.secrets.gateway=oms-gateway', '--set', 'global.secrets.database=oms-database'];

const helm = findDeployCheck('helm');
const kubeStrict = findDeployCheck('kube-strict');
// helm keeps its caches and repository list away from the user's.
const home = mkdtempSync(path.join(os.tmpdir(), 'oms-helm-'));
const helmEnv = {
  ...process.env,
  HELM_CACHE_HOME: path.join(home, 'cache'),
  HELM_CONFIG_HOME: path.join(home, 'config'),
  HELM_DATA_HOME: path.join(home, 'data'),
};

function run(command: string | undefined, args: string[], input?: string) {
  if (!command) throw new Error('helm and kube-strict are missing from .tools/bin: run `npm run setup` (it builds them from deploy/checks with Go)');
  const result = spawnSync(command, args, { env: helmEnv, input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, output: `${result.stdout}${result.stderr}` };
}

function helmOk(args: string[]): string {
  const result = run(helm, args);
  if (result.status !== 0) throw new Error(`helm ${args.join(' ')} failed:\n${result.output}`);
  return result.stdout;
}

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  data?: Record<string, string>;
}

/** The production-like values of one chart: the umbrella's example file, or its global part plus the app's own section. */
function productionValues(chart: string): string {
  const example = parseYaml(readFileSync(path.join(helmDir, 'oms/values-production-example.yaml'), 'utf8')) as Record<string, unknown>;
  const values = chart === 'oms' ? example : { global: example.global, ...(example[chart] as object | undefined) };
  const file = path.join(home, `${chart}-production.yaml`);
  writeFileSync(file, stringify(values));
  return file;
}

const variants = {
  defaults: (_chart: string) => secretNames,
  production: (chart: string) => ['-f', productionValues(chart)],
};
type Variant = keyof typeof variants;

const rendered = new Map<string, { text: string; manifests: Manifest[] }>();
const render = (chart: string, variant: Variant) => rendered.get(`${chart}/${variant}`)!;

beforeAll(() => {
  // The charts' dependencies (oms-lib, and the apps for the umbrella) from their folders, offline; charts/ is gitignored.
  for (const chart of [...apps, 'oms']) helmOk(['dependency', 'build', '--skip-refresh', path.join(helmDir, chart)]);
  for (const chart of charts) {
    for (const variant of Object.keys(variants) as Variant[]) {
      const text = helmOk(['template', 'oms', path.join(helmDir, chart), '--namespace', 'oms', ...variants[variant](chart)]);
      const manifests = parseAllDocuments(text)
        .map((document) => document.toJSON() as Manifest | null)
        .filter((manifest): manifest is Manifest => manifest !== null);
      rendered.set(`${chart}/${variant}`, { text, manifests });
    }
  }
}, 240_000);

afterAll(() => rmSync(home, { recursive: true, force: true }));

it('values.schema.json of every chart is what scripts/helm-schemas.ts generates (npm run helm:schemas)', async () => {
  for (const [chart, schema] of valuesSchemas()) expect(readFileSync(schemaFile(chart), 'utf8'), chart).toBe(await schemaText(schema, schemaFile(chart)));
});

describe.each(charts)('chart %s', (chart) => {
  it.each(Object.keys(variants) as Variant[])('passes helm lint --strict with %s values', (variant) => {
    const result = run(helm, ['lint', '--strict', path.join(helmDir, chart), ...variants[variant](chart)]);
    expect(result.status, result.output).toBe(0);
  });

  it.each(Object.keys(variants) as Variant[])('renders, with %s values, manifests the Kubernetes API types accept strictly', (variant) => {
    const { text, manifests } = render(chart, variant);
    expect(manifests.length).toBeGreaterThan(4);
    const result = run(kubeStrict, [], text);
    expect(result.status, result.output).toBe(0);
    expect(result.stdout).toContain(`${manifests.length} documents valid`);
  });
});

describe('kube-strict', () => {
  const deployment = () => render('gateway', 'defaults').text;

  it.each([
    ['a misspelt field', (text: string) => text.replace('readinessProbe:', 'readinesProbe:'), 'unknown field "spec.template.spec.containers[0].readinesProbe"'],
    ['a wrong type', (text: string) => text.replace(/maxUnavailable: 1/, 'maxUnavailable: [1]'), 'PodDisruptionBudget/oms-gateway'],
    [
      'a duplicate field',
      (text: string) => text.replace('  revisionHistoryLimit: 5', '  revisionHistoryLimit: 5\n  revisionHistoryLimit: 6'),
      'already set in map',
    ],
    [
      'an unknown kind',
      (text: string) => `${text}\n---\napiVersion: v1\nkind: Secrett\nmetadata:\n  name: x\n`,
      'stdin Secrett/x: no kind "Secrett" is registered',
    ],
  ])('rejects %s, naming the document', (_name, breakIt, message) => {
    const broken = breakIt(deployment());
    expect(broken).not.toBe(deployment());
    const result = run(kubeStrict, [], broken);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(message);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
  });
});

describe.each(Object.keys(variants) as Variant[])('the whole system (oms) with %s values', (variant) => {
  const all = () => render('oms', variant).manifests;
  const ofKind = (kind: string) => all().filter((manifest) => manifest.kind === kind);
  const podOwners = () => all().filter((manifest) => ['Deployment', 'Job', 'StatefulSet', 'DaemonSet', 'CronJob'].includes(manifest.kind));
  const appOf = (manifest: Manifest) => manifest.metadata.labels?.['app.kubernetes.io/name'];
  const deploymentOf = (app: string) => ofKind('Deployment').find((manifest) => appOf(manifest) === app)!;
  const matches = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([key, value]) => labels[key] === value);

  it('has a Deployment, Service, ConfigMap, PDB and NetworkPolicy per app, and creates no Secret', () => {
    for (const kind of ['Deployment', 'Service', 'ConfigMap', 'PodDisruptionBudget', 'NetworkPolicy'])
      expect(ofKind(kind).map(appOf).sort(), kind).toEqual([...apps].sort());
    expect(ofKind('Secret')).toEqual([]);
  });

  it('gives every container resources and a non-root, read-only, unprivileged securityContext', () => {
    for (const owner of podOwners()) {
      const pod = owner.spec.template.spec;
      expect(pod.securityContext, owner.metadata.name).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.automountServiceAccountToken).toBe(false);
      for (const container of pod.containers) {
        const where = `${owner.kind}/${owner.metadata.name} ${container.name}`;
        expect(container.resources?.requests?.cpu, where).toBeDefined();
        expect(container.resources?.requests?.memory, where).toBeDefined();
        expect(container.resources?.limits?.memory, where).toBeDefined();
        expect(container.securityContext, where).toMatchObject({
          runAsNonRoot: true,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        });
        expect(container.volumeMounts, where).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
      }
    }
  });

  it('probes every long-running container: gRPC health for the services, HTTP for the gateway and the worker', () => {
    for (const deployment of ofKind('Deployment')) {
      const [container] = deployment.spec.template.spec.containers;
      for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) expect(container[probe], `${appOf(deployment)} ${probe}`).toBeDefined();
    }
    for (const service of services) {
      const [container] = deploymentOf(service).spec.template.spec.containers;
      const rpcPort = container.ports.find((port: { name: string }) => port.name === 'grpc').containerPort;
      expect(container.livenessProbe.grpc).toEqual({ port: rpcPort });
      expect(container.readinessProbe.grpc).toEqual({ port: rpcPort });
    }
    const [gateway] = deploymentOf('gateway').spec.template.spec.containers;
    expect(gateway.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(gateway.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    const [worker] = deploymentOf('orchestrator').spec.template.spec.containers;
    expect(worker.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
  });

  it('selects every pod with a NetworkPolicy', () => {
    for (const owner of podOwners()) {
      const labels = owner.spec.template.metadata.labels;
      const policies = ofKind('NetworkPolicy').filter((policy) => matches(policy.spec.podSelector.matchLabels, labels));
      expect(policies.length, `${owner.kind}/${owner.metadata.name}`).toBeGreaterThan(0);
    }
  });

  it('lets only the gateway and the worker call the services, and the order-service call inventory; Prometheus scrapes metrics', () => {
    const callersOf = (app: string) => {
      const policy = ofKind('NetworkPolicy').find((manifest) => appOf(manifest) === app)!;
      expect(policy.spec.policyTypes).toEqual(['Ingress']);
      const rpc = policy.spec.ingress.filter((rule: { ports: { port: string }[] }) => rule.ports.some((port) => port.port === 'grpc'));
      return rpc
        .flatMap((rule: { from: { podSelector: { matchLabels: Record<string, string> } }[] }) =>
          rule.from.map((peer) => peer.podSelector.matchLabels['app.kubernetes.io/name']),
        )
        .sort();
    };
    for (const service of services)
      expect(callersOf(service), service).toEqual(service === 'inventory-service' ? ['gateway', 'orchestrator', 'order-service'] : ['gateway', 'orchestrator']);
    expect(callersOf('gateway')).toEqual([]);
    expect(callersOf('orchestrator')).toEqual([]);
    for (const policy of ofKind('NetworkPolicy')) {
      const ports = policy.spec.ingress.flatMap((rule: { ports: { port: string }[] }) => rule.ports.map((port) => port.port));
      expect(ports.sort(), appOf(policy)).toEqual(
        appOf(policy) === 'gateway' ? ['http', 'http'] : appOf(policy) === 'orchestrator' ? ['metrics'] : ['grpc', 'metrics'],
      );
      const scrape = policy.spec.ingress.at(-1);
      expect(scrape.from[0].namespaceSelector.matchLabels).toEqual({ 'kubernetes.io/metadata.name': 'monitoring' });
    }
  });

  it('points the callers at the services it renders', () => {
    const serviceUrls = new Set(
      ofKind('Service').flatMap((service) =>
        service.spec.ports
          .filter((port: { name: string }) => port.name === 'grpc')
          .map((port: { port: number }) => `http://${service.metadata.name}:${port.port}`),
      ),
    );
    for (const caller of ['gateway', 'orchestrator', 'order-service']) {
      const config = ofKind('ConfigMap').find((manifest) => appOf(manifest) === caller)!.data!;
      const urls = Object.entries(config).filter(([key]) => key.endsWith('_SERVICE_URL'));
      expect(urls.length, caller).toBe(caller === 'order-service' ? 1 : 4);
      for (const [key, url] of urls) expect(serviceUrls, `${caller} ${key}`).toContain(url);
    }
  });

  it('autoscales the gateway and the services (not the worker), and bounds disruption of every app', () => {
    const hpas = ofKind('HorizontalPodAutoscaler');
    expect(hpas.map((hpa) => hpa.spec.scaleTargetRef.name).sort()).toEqual(['gateway', ...services].map((app) => deploymentOf(app).metadata.name).sort());
    for (const hpa of hpas) expect(deploymentOf(appOf(hpa)!).spec.replicas, 'the HPA owns the replica count').toBeUndefined();
    for (const pdb of ofKind('PodDisruptionBudget')) expect(pdb.spec.selector.matchLabels).toEqual(deploymentOf(appOf(pdb)!).spec.selector.matchLabels);
  });

  it('migrates each service in a hook Job that references only the image and existing Secrets', () => {
    const jobs = ofKind('Job');
    expect(jobs.map(appOf).sort()).toEqual([...services].sort());
    for (const job of jobs) {
      expect(job.metadata.annotations).toEqual({
        'helm.sh/hook': 'pre-install,pre-upgrade',
        'helm.sh/hook-weight': '0',
        'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded',
      });
      const [container] = job.spec.template.spec.containers;
      expect(container.command).toEqual(['node', 'dist/migrate.js']);
      expect(container.image).toBe(deploymentOf(appOf(job)!).spec.template.spec.containers[0].image);
      expect(container.envFrom).toBeUndefined();
      expect(container.env).toContainEqual({
        name: 'DATABASE_URL',
        valueFrom: { secretKeyRef: { name: variant === 'defaults' ? 'oms-database' : 'oms-database', key: appOf(job) } },
      });
      // order-service's other shards, when the Secret names them: the Job migrates them, the service serves them.
      if (appOf(job) === 'order-service') {
        const shards = { name: 'ORDER_SHARD_URLS', valueFrom: { secretKeyRef: { name: 'oms-database', key: 'order-shard-urls', optional: true } } };
        expect(container.env).toContainEqual(shards);
        expect(deploymentOf('order-service').spec.template.spec.containers[0].env).toContainEqual(shards);
      }
      // The Service must not send traffic to it: the Deployment's selector leaves it out.
      expect(matches(deploymentOf(appOf(job)!).spec.selector.matchLabels, job.spec.template.metadata.labels)).toBe(false);
    }
  });

  it('takes the gateway secrets from the existing Secret', () => {
    const env = deploymentOf('gateway').spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'GATEWAY_JWT_SECRET', valueFrom: { secretKeyRef: { name: 'oms-gateway', key: 'jwt-secret' } } });
    expect(env).toContainEqual({ name: 'CARRIER_WEBHOOK_SECRET', valueFrom: { secretKeyRef: { name: 'oms-gateway', key: 'carrier-webhook-secret' } } });
  });
});

describe('production-like values', () => {
  const manifests = () => render('oms', 'production').manifests;
  const forApp = (kind: string, app: string) =>
    manifests().find((manifest) => manifest.kind === kind && manifest.metadata.labels?.['app.kubernetes.io/name'] === app)!;

  it('connect the gateway and the worker to Temporal Cloud with mTLS from a read-only Secret and an API key', () => {
    for (const app of ['gateway', 'orchestrator']) {
      const config = forApp('ConfigMap', app).data!;
      expect(config).toMatchObject({
        TEMPORAL_ADDRESS: 'oms.a1b2c.tmprl.cloud:7233',
        TEMPORAL_NAMESPACE: 'oms.a1b2c',
        TEMPORAL_TLS: 'true',
        TEMPORAL_TLS_CERT_PATH: '/etc/temporal/tls/tls.crt',
      });
      const pod = forApp('Deployment', app).spec.template.spec;
      expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'temporal-tls', mountPath: '/etc/temporal/tls', readOnly: true });
      expect(pod.volumes).toContainEqual({ name: 'temporal-tls', secret: { secretName: 'oms-temporal-tls', defaultMode: 0o440 } });
      expect(pod.containers[0].env).toContainEqual({ name: 'TEMPORAL_API_KEY', valueFrom: { secretKeyRef: { name: 'oms-temporal-api-key', key: 'api-key' } } });
    }
    expect(forApp('ConfigMap', 'order-service').data!.TEMPORAL_ADDRESS).toBeUndefined();
  });

  it("trust a self-hosted cluster's private CA from the same Secret when serverCA is set", () => {
    const text = helmOk(['template', 'oms', path.join(helmDir, 'oms'), '-f', productionValues('oms'), '--set', 'global.temporal.tls.serverCA=true']);
    const config = parseAllDocuments(text)
      .map((document) => document.toJSON() as Manifest)
      .find((manifest) => manifest?.kind === 'ConfigMap' && manifest.metadata.labels?.['app.kubernetes.io/name'] === 'orchestrator')!;
    expect(config.data).toMatchObject({ TEMPORAL_TLS_CA_PATH: '/etc/temporal/tls/ca.crt', TEMPORAL_TLS_KEY_PATH: '/etc/temporal/tls/tls.key' });
    expect(forApp('ConfigMap', 'orchestrator').data!.TEMPORAL_TLS_CA_PATH).toBeUndefined();
  });

  it('pull images from the registry and scrape every app with a ServiceMonitor', () => {
    expect(forApp('Deployment', 'gateway').spec.template.spec.containers[0].image).toBe('registry.example.com/oms/gateway:0.1.0');
    const monitors = manifests().filter((manifest) => manifest.kind === 'ServiceMonitor');
    expect(monitors.map((monitor) => monitor.metadata.labels?.['app.kubernetes.io/name']).sort()).toEqual([...apps].sort());
    expect(forApp('ServiceMonitor', 'gateway').spec.endpoints).toEqual([{ port: 'http', path: '/metrics', interval: '30s' }]);
    expect(render('oms', 'defaults').manifests.filter((manifest) => manifest.kind === 'ServiceMonitor')).toEqual([]);
  });
});

describe('secrets are required: no development default reaches a cluster', () => {
  it.each([
    ['gateway', 'global.secrets.gateway', 'secrets.gateway'],
    ['order-service', 'global.secrets.database', 'secrets.database'],
    ['oms', 'global.secrets.gateway', 'secrets.gateway'],
    ['oms', 'global.secrets.database', 'secrets.database'],
  ])('%s does not render without %s', (chart, missing, message) => {
    const args = secretNames.filter((arg, index) => !arg.startsWith(missing) && !secretNames[index + 1]?.startsWith(missing));
    const result = run(helm, ['template', 'oms', path.join(helmDir, chart), ...args]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(`set ${message} (or global.${message} in the umbrella) to the name of an existing Secret`);
  });
});
