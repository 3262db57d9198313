/**
 * deploy/grafana without a running system: the PromQL reader finds the
 * metric names a query selects, a /metrics page is read the way Prometheus
 * names its series, and the dashboards are ones Grafana's provisioning loads
 * (each with its own uid, on the provisioned data source).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { workspaceRoot } from '@oms/devstack';
import { describe, expect, it } from 'vitest';
import { exported } from './exposition';
import { dashboardsDir, deployQueries, metricNames, selectors } from './metric-references';

describe('metricNames', () => {
  it('finds every selected metric, and no function, label or variable', () => {
    const expr =
      'histogram_quantile(0.99, sum by (le, service) (rate(rpc_server_duration_seconds_bucket{service=~"$service"}[$__rate_interval]))) / on() group_left {__name__="orders_completed_total"} + up';
    expect(metricNames(expr).sort()).toEqual(['orders_completed_total', 'rpc_server_duration_seconds_bucket', 'up']);
  });

  it('tells which labels each selector matches', () => {
    expect(selectors('sum by (app) (rate(http_requests_total{app="gateway",route=~"$route"}[5m])) / {__name__="up",job!=""}')).toEqual([
      { metric: 'http_requests_total', labels: ['app', 'route'] },
      { metric: 'up', labels: ['job'] },
    ]);
  });

  it('refuses what is not PromQL', () => {
    expect(() => metricNames('sum(rate(http_requests_total[5m])')).toThrow(/not valid PromQL/);
  });
});

describe('exported', () => {
  const page = [
    '# TYPE http_requests_total counter',
    'http_requests_total{route="/v1/orders"} 2',
    '# TYPE order_compensation_failures_total counter',
    '# TYPE order_processing_seconds histogram',
    '# TYPE temporal_request counter',
    'temporal_request{operation="PollWorkflowTaskQueue"} 3',
  ].join('\n');
  const metrics = exported([page]);

  it('has the series Prometheus stores, counted yet or not', () => {
    for (const name of [
      'http_requests_total',
      'order_compensation_failures_total',
      'order_processing_seconds_bucket',
      'order_processing_seconds_count',
      'temporal_request',
    ])
      expect(metrics.has(name), name).toBe(true);
  });

  it('has the label names of the samples', () => {
    expect(metrics.labels('http_requests_total')).toEqual(new Set(['route']));
    expect(metrics.labels('order_compensation_failures_total')).toBeUndefined();
  });

  it('has no series the page does not give (a histogram by its family name, a counter with a _total it lacks)', () => {
    for (const name of ['order_processing_seconds', 'temporal_request_total', 'http_requests_total_total']) expect(metrics.has(name), name).toBe(false);
  });
});

describe('the dashboards', () => {
  const files = readdirSync(dashboardsDir).filter((f) => f.endsWith('.json'));
  const dashboards = files.map((f) => JSON.parse(readFileSync(path.join(dashboardsDir, f), 'utf8')) as { uid: string; title: string; panels: unknown[] });

  it('each have a uid and title of their own, and queries that are PromQL', () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
    expect(new Set(dashboards.map((d) => d.uid)).size).toBe(dashboards.length);
    expect(new Set(dashboards.map((d) => d.title)).size).toBe(dashboards.length);
    for (const { expr } of deployQueries()) expect(metricNames(expr).length, expr).toBeGreaterThan(0);
  });

  it('are what the provisioning loads, on the data source it provides', () => {
    const provisioning = path.join(workspaceRoot, 'deploy/grafana/provisioning');
    const { datasources } = parseYaml(readFileSync(path.join(provisioning, 'datasources/prometheus.yml'), 'utf8')) as {
      datasources: { uid: string; type: string }[];
    };
    const { providers } = parseYaml(readFileSync(path.join(provisioning, 'dashboards/oms.yml'), 'utf8')) as {
      providers: { type: string; options: { path: string } }[];
    };
    expect(datasources).toEqual([expect.objectContaining({ uid: 'prometheus', type: 'prometheus' })]);
    expect(providers).toEqual([expect.objectContaining({ type: 'file' })]);
    // Panels name the data source through the dashboard's variable, whose default is the provisioned type.
    for (const file of files) {
      const text = readFileSync(path.join(dashboardsDir, file), 'utf8');
      const uids = new Set([...text.matchAll(/"uid": "([^"]*)"/g)].map((m) => m[1]));
      uids.delete(JSON.parse(text).uid);
      expect([...uids], file).toEqual(['${datasource}']);
    }
  });
});
