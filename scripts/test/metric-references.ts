/**
 * Which metrics deploy/ queries: every PromQL expression in the Grafana
 * dashboards and the Prometheus rule files, and the metric names each one
 * selects, read with Prometheus's own PromQL grammar (lezer-promql).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { parse as parseYaml } from 'yaml';
import { workspaceRoot } from '@oms/devstack';

interface Query {
  /** File and place, for failure messages. */
  where: string;
  expr: string;
}

export const dashboardsDir = path.join(workspaceRoot, 'deploy/grafana/dashboards');
const prometheusDir = path.join(workspaceRoot, 'deploy/prometheus');

const filesIn = (dir: string, ...extensions: string[]): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((f) => f.isFile() && extensions.some((ext) => f.name.endsWith(ext)))
    .map((f) => path.join(f.parentPath, f.name))
    .sort();

const relative = (file: string) => path.relative(workspaceRoot, file);

interface Panel {
  title?: string;
  targets?: { expr?: string; refId?: string }[];
  panels?: Panel[];
}

/** Every target of every panel (rows hold panels too), and the query variables. */
function dashboardQueries(file: string): Query[] {
  const dashboard = JSON.parse(readFileSync(file, 'utf8')) as { panels?: Panel[]; templating?: { list?: { name: string; type: string; query?: unknown }[] } };
  const queries: Query[] = [];
  const visit = (panels: Panel[] = []) => {
    for (const panel of panels) {
      for (const target of panel.targets ?? [])
        if (target.expr) queries.push({ where: `${relative(file)}: panel "${panel.title}" ${target.refId ?? ''}`.trim(), expr: target.expr });
      visit(panel.panels);
    }
  };
  visit(dashboard.panels);
  for (const variable of dashboard.templating?.list ?? []) {
    if (variable.type !== 'query') continue;
    const query = typeof variable.query === 'string' ? variable.query : (variable.query as { query?: string } | undefined)?.query;
    // Grafana's label_values(<selector>, <label>) is not PromQL; its selector is.
    const selector = query && /^label_values\((.+),\s*\w+\)$/.exec(query.trim())?.[1];
    if (selector) queries.push({ where: `${relative(file)}: variable $${variable.name}`, expr: selector });
  }
  return queries;
}

interface RuleFile {
  groups?: { name: string; rules?: { alert?: string; record?: string; expr?: string }[] }[];
}

const ruleFiles = (): { file: string; doc: RuleFile }[] => {
  try {
    return filesIn(prometheusDir, '.yml', '.yaml').map((file) => ({ file, doc: (parseYaml(readFileSync(file, 'utf8')) ?? {}) as RuleFile }));
  } catch (error) {
    // deploy/prometheus/ may not be there (yet).
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
};

/** The expr of every alerting and recording rule in a Prometheus rule file (others, such as prometheus.yml, have none). */
function ruleQueries(file: string, doc: RuleFile): Query[] {
  return (doc.groups ?? []).flatMap((group) =>
    (group.rules ?? [])
      .filter((rule) => rule.expr)
      .map((rule) => ({ where: `${relative(file)}: ${group.name}/${rule.alert ?? rule.record}`, expr: String(rule.expr) })),
  );
}

/** Everything deploy/ queries: the dashboards, and the rule files when there are any. */
export function deployQueries(): Query[] {
  return [...filesIn(dashboardsDir, '.json').flatMap(dashboardQueries), ...ruleFiles().flatMap(({ file, doc }) => ruleQueries(file, doc))];
}

/**
 * Series that exist without an app exporting them: those Prometheus makes
 * for every scrape and alert, and those deploy/'s recording rules record.
 */
export function seriesMadeByPrometheus(): Set<string> {
  const recorded = ruleFiles().flatMap(({ doc }) => (doc.groups ?? []).flatMap((group) => (group.rules ?? []).flatMap((rule) => rule.record ?? [])));
  return new Set([
    'up',
    'scrape_duration_seconds',
    'scrape_samples_scraped',
    'scrape_samples_post_metric_relabeling',
    'scrape_series_added',
    'ALERTS',
    'ALERTS_FOR_STATE',
    ...recorded,
  ]);
}

/**
 * Grafana's variables, made valid PromQL: interval variables become a
 * duration; others only appear inside label values, which are strings.
 */
const withoutGrafanaVariables = (expr: string) => expr.replace(/\$__(rate_interval|interval|range)\b|\$\{__(rate_interval|interval|range)\}/g, '5m');

interface Selector {
  metric: string;
  /** The labels its matchers test (the metric's __name__ aside). */
  labels: string[];
}

/** The series selectors of an expression, each with its metric and matched labels; throws when it is not valid PromQL. */
export function selectors(expr: string): Selector[] {
  const text = withoutGrafanaVariables(expr);
  const found: Selector[] = [];
  const cursor = parser.parse(text).cursor();
  do {
    if (cursor.type.isError) throw new Error(`not valid PromQL at ${cursor.from}: ${text}`);
    if (cursor.name !== 'VectorSelector') continue;
    const identifier = cursor.node.getChild('Identifier');
    let metric = identifier ? text.slice(identifier.from, identifier.to) : undefined;
    const labels: string[] = [];
    for (const matcher of cursor.node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []) {
      const label = matcher.getChild('LabelName');
      const value = matcher.getChild('StringLiteral');
      if (!label) continue;
      const name = text.slice(label.from, label.to);
      // {__name__="x"} names a metric too.
      if (name === '__name__' && value && matcher.getChild('MatchOp')?.getChild('EqlSingle')) metric = JSON.parse(text.slice(value.from, value.to)) as string;
      else if (name !== '__name__') labels.push(name);
    }
    if (metric) found.push({ metric, labels });
  } while (cursor.next());
  return found;
}

/** The metric names an expression selects; throws when it is not valid PromQL. */
export const metricNames = (expr: string): string[] => [...new Set(selectors(expr).map((s) => s.metric))];
