/**
 * deploy/prometheus without a Prometheus: the scrape configuration has a job
 * for every app at the metrics port the README gives it, every alert says
 * what is wrong and what to do (summary, runbook) naming only labels its
 * expression keeps, every alert has a promtool unit test in which it fires,
 * and every metric the rules query is documented. The expressions' PromQL
 * itself is parsed by dashboards.test.ts, and their metrics checked against
 * the running apps by metric-references.test.ts. Where promtool is
 * installed (PATH or .tools/bin), `promtool check config`, `check rules` and
 * `test rules` run too; it is not built by the set-up (see the README here).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { parse as parseYaml } from 'yaml';
import { findPromtool, workspaceRoot } from '@oms/devstack';
import { describe, expect, it } from 'vitest';
import { metricNames } from './metric-references';

const dir = path.join(workspaceRoot, 'deploy/prometheus');
const read = (file: string) => readFileSync(path.join(dir, file), 'utf8');

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface TestFile {
  rule_files: string[];
  tests: {
    name?: string;
    alert_rule_test?: { alertname: string; exp_alerts?: { exp_labels: Record<string, string>; exp_annotations?: Record<string, string> }[] }[];
  }[];
}

const config = parseYaml(read('prometheus.yml')) as { rule_files: string[]; scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[] };
const rules = config.rule_files.flatMap((file) => (parseYaml(read(file)) as { groups: { rules: Rule[] }[] }).groups.flatMap((group) => group.rules));
const testFiles = readdirSync(path.join(dir, 'tests')).filter((file) => file.endsWith('.yml'));
const unitTests = testFiles.map((file) => ({ file, doc: parseYaml(read(path.join('tests', file))) as TestFile }));

/** The README's services table: app -> metrics port. */
function documentedMetricsPorts(): Map<string, string> {
  const readme = readFileSync(path.join(workspaceRoot, 'README.md'), 'utf8');
  const table = readme.slice(readme.indexOf('## Services'));
  const rows = [...table.matchAll(/^\| ([a-z-]+) \| [^|]+ \| [^|]+ \| (\d+) \|/gm)];
  return new Map(rows.map(([, app, port]) => [app!, port!]));
}

/** The labels an alert's result keeps when its expression aggregates (`by (...)`, less `le`), or undefined when it keeps all. */
function keptLabels(expr: string): Set<string> | undefined {
  const cursor = parser.parse(expr).cursor();
  do {
    if (cursor.name === 'GroupingLabels') {
      const labels = cursor.node.getChildren('LabelName').map((label) => expr.slice(label.from, label.to));
      return new Set(labels.filter((label) => label !== 'le'));
    }
  } while (cursor.next());
  return undefined;
}

describe('prometheus.yml', () => {
  it('scrapes every app at the metrics port the README gives it, and loads the rules', () => {
    const ports = documentedMetricsPorts();
    expect([...ports.keys()].sort()).toEqual(['gateway', 'inventory-service', 'orchestrator', 'order-service', 'payment-service', 'shipping-service']);
    const jobs = Object.fromEntries(config.scrape_configs.map((job) => [job.job_name, job.static_configs.flatMap((c) => c.targets)]));
    expect(jobs).toEqual(Object.fromEntries([...ports].map(([app, port]) => [app, [`127.0.0.1:${port}`]])));
    for (const file of config.rule_files) expect(existsSync(path.join(dir, file)), file).toBe(true);
  });
});

describe('alerts.yml', () => {
  it('has the alerts the issue asks for', () => {
    expect(rules.map((rule) => rule.alert)).toEqual(
      expect.arrayContaining([
        'OrderCompensationsFailing',
        'OrdersStuckInSaga',
        'PaymentProviderCircuitOpen',
        'RpcErrorRatioHigh',
        'RpcLatencyP99High',
        'HttpErrorRatioHigh',
        'HttpLatencyP99High',
        'WorkflowTaskBacklog',
        'ActivityTaskBacklog',
        'DatabaseDown',
      ]),
    );
    expect(new Set(rules.map((rule) => rule.alert)).size).toBe(rules.length);
  });

  it.each(rules)('$alert has a severity, a summary and a runbook line naming only labels its expression keeps', (rule) => {
    expect(['page', 'warn']).toContain(rule.labels?.severity);
    expect(Object.keys(rule.annotations ?? {}).sort()).toEqual(['runbook', 'summary']);
    expect(rule.annotations!.runbook).not.toContain('\n');
    const kept = keptLabels(rule.expr);
    const used = Object.values(rule.annotations!).flatMap((text) => [...text.matchAll(/\$labels\.(\w+)/g)].map((m) => m[1]!));
    if (kept) for (const label of used) expect(kept, `${rule.alert} uses $labels.${label}`).toContain(label);
  });

  it('every metric the rules query is documented in deploy/prometheus/README.md', () => {
    const readme = read('README.md');
    const names = new Set(rules.flatMap((rule) => metricNames(rule.expr)));
    for (const name of names) {
      const family = name.replace(/_(bucket|count|sum)$/, '');
      expect(readme, name).toMatch(new RegExp(`^\\| \`(${name}|${family})\` \\|`, 'm'));
    }
  });
});

describe('tests/*.yml (promtool test rules)', () => {
  it('load the rule files prometheus.yml loads', () => {
    expect(unitTests.length).toBeGreaterThan(0);
    for (const { doc } of unitTests) for (const file of doc.rule_files) expect(config.rule_files).toContain(path.relative(dir, path.join(dir, 'tests', file)));
  });

  it('make every alert fire at least once, with the labels and annotations it has', () => {
    const fired = unitTests.flatMap(({ doc }) => doc.tests.flatMap((test) => (test.alert_rule_test ?? []).filter((check) => check.exp_alerts?.length)));
    for (const rule of rules) {
      const checks = fired.filter((check) => check.alertname === rule.alert);
      expect(checks.length, `${rule.alert} never fires in tests/`).toBeGreaterThan(0);
      for (const alert of checks.flatMap((check) => check.exp_alerts!)) {
        expect(alert.exp_labels.severity).toBe(rule.labels?.severity);
        expect(Object.keys(alert.exp_annotations ?? {}).sort()).toEqual(Object.keys(rule.annotations ?? {}).sort());
      }
    }
  });
});

const promtool = findPromtool();

describe('promtool', () => {
  const run = (...args: string[]) => spawnSync(promtool!, args, { cwd: dir, encoding: 'utf8' });

  it('checks the configuration and the rules, and passes the rule unit tests', () => {
    expect(promtool, 'promtool is missing: `npm run setup` builds it into .tools/bin').toBeDefined();
    for (const args of [
      ['check', 'config', 'prometheus.yml'],
      ['check', 'rules', ...config.rule_files],
      ['test', 'rules', ...testFiles.map((f) => `tests/${f}`)],
    ]) {
      const result = run(...args);
      expect(result.status, `promtool ${args.join(' ')}\n${result.stdout}${result.stderr}`).toBe(0);
    }
  });
});
