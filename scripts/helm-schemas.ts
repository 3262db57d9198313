/**
 * The values.schema.json of every chart in deploy/helm, from one definition
 * (the app charts share most of their values). `npm run helm:schemas` writes
 * them; helm-charts.test.ts fails when a committed one differs.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { workspaceRoot } from '@oms/devstack';

type Schema = Record<string, unknown>;

const string = { type: 'string' };
const boolean = { type: 'boolean' };
const port = { type: 'integer', minimum: 1, maximum: 65535 };
const count = { type: 'integer', minimum: 1 };
const object = (properties: Record<string, Schema>, required: string[] = []): Schema => ({ type: 'object', additionalProperties: false, properties, required });
const map = (values: Schema = string): Schema => ({ type: 'object', additionalProperties: values });
/** Kubernetes structures passed through as they are (validated by the API schemas in the tests). */
const kubernetes = (type: 'object' | 'array', description: string): Schema => ({ type, description });

const secretName = { type: 'string', description: 'the name of an existing Secret' };
const apps = ['order-service', 'payment-service', 'inventory-service', 'shipping-service', 'gateway', 'orchestrator'];

const globalSchema = object({
  image: object({ registry: string, tag: string }),
  secrets: object({ gateway: secretName, database: secretName }),
  temporal: object({
    address: { type: 'string', minLength: 1, description: 'host:port of the Temporal frontend' },
    namespace: { type: 'string', minLength: 1 },
    taskQueue: { type: 'string', minLength: 1 },
    tls: object({
      enabled: boolean,
      existingSecret: { ...secretName, description: 'a kubernetes.io/tls Secret for mTLS' },
      serverCA: { type: 'boolean', description: 'the Secret also holds ca.crt, the CA of a private server certificate' },
    }),
    apiKey: object({ existingSecret: secretName, key: string }),
  }),
  prometheus: object({ namespaceSelector: kubernetes('object', 'LabelSelector'), podSelector: kubernetes('object', 'LabelSelector') }),
  otel: object({ endpoint: string }),
});

const appSchema = (kind: string): Schema =>
  object(
    {
      global: { type: 'object', description: 'set by the umbrella chart oms' },
      'oms-lib': { type: 'object', description: 'the library chart: holds no settings' },
      fullnameOverride: string,
      kind: { const: kind },
      image: object(
        { registry: string, repository: { type: 'string', minLength: 1 }, tag: string, pullPolicy: { enum: ['Always', 'IfNotPresent', 'Never'] } },
        ['repository'],
      ),
      imagePullSecrets: kubernetes('array', 'LocalObjectReference list'),
      replicaCount: { type: 'integer', minimum: 0 },
      ports: object({ rpc: port, http: port, metrics: port }),
      logLevel: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
      calls: { type: 'array', items: { enum: apps.slice(0, 4) }, uniqueItems: true },
      env: map(),
      secrets: map(string),
      secretEnv: { type: 'array', items: object({ name: string, secret: string, key: string, optional: boolean }, ['name', 'secret', 'key']) },
      temporal: object({ enabled: boolean }),
      migrations: object({ enabled: boolean, backoffLimit: { type: 'integer', minimum: 0 }, activeDeadlineSeconds: count }),
      resources: kubernetes('object', 'ResourceRequirements'),
      autoscaling: object({
        enabled: boolean,
        minReplicas: count,
        maxReplicas: count,
        targetCPUUtilizationPercentage: { type: 'integer', minimum: 1, maximum: 100 },
      }),
      podDisruptionBudget: object({ maxUnavailable: { type: ['integer', 'string'] } }),
      serviceMonitor: object({ enabled: boolean, interval: string, labels: map() }),
      networkPolicy: object({ allowFrom: { type: 'array', items: { enum: apps } }, httpFrom: kubernetes('array', 'NetworkPolicyPeer list') }),
      terminationGracePeriodSeconds: { type: 'integer', minimum: 0 },
      podAnnotations: map(),
      nodeSelector: map(),
      tolerations: kubernetes('array', 'Toleration list'),
      affinity: kubernetes('object', 'Affinity'),
    },
    ['kind', 'image', 'ports', 'resources'],
  );

/** Chart folder (under deploy/helm) -> its values schema. */
export function valuesSchemas(): Map<string, Schema> {
  const schemas = new Map<string, Schema>();
  for (const app of apps) schemas.set(app, appSchema(app === 'gateway' ? 'gateway' : app === 'orchestrator' ? 'worker' : 'rpc'));
  schemas.set('oms', object({ global: globalSchema, ...Object.fromEntries(apps.map((app) => [app, { type: 'object' }])) }));
  for (const schema of schemas.values()) schema.$schema = 'https://json-schema.org/draft-07/schema#';
  return schemas;
}

/** The file's text, formatted as the repository's prettier check wants it. */
export async function schemaText(schema: Schema, file: string): Promise<string> {
  return format(JSON.stringify(schema), { ...(await resolveConfig(file)), filepath: file });
}

export const schemaFile = (chart: string): string => path.join(workspaceRoot, 'deploy/helm', chart, 'values.schema.json');

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const [chart, schema] of valuesSchemas()) writeFileSync(schemaFile(chart), await schemaText(schema, schemaFile(chart)));
}
