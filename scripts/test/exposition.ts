/**
 * Which series names a /metrics page (Prometheus text format) gives
 * Prometheus: every sample's name (and its label names), and the names a
 * declared family will have once it has samples (a labelled counter nothing
 * has counted yet has its # TYPE line and no samples).
 */
export interface Exported {
  /** Whether a query for this name finds (or, once counted, will find) the app's series. */
  has(name: string): boolean;
  /** The label names this name's samples carry; undefined while it has none. */
  labels(name: string): Set<string> | undefined;
  names(): string[];
}

// The text format names a counter's or gauge's samples as its family (prom-client's
// counters end in _total, the Temporal SDK's do not), a histogram's by suffix.
const seriesOf: Record<string, string[]> = {
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
};

export function exported(pages: string[]): Exported {
  const names = new Set<string>();
  const labels = new Map<string, Set<string>>();
  for (const page of pages) {
    for (const line of page.split('\n')) {
      const type = /^# TYPE (\S+) (\S+)/.exec(line);
      if (type) for (const suffix of seriesOf[type[2]!] ?? ['']) names.add(type[1]! + suffix);
      const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? /.exec(line);
      if (!sample) continue;
      const [, name, labelText = ''] = sample as unknown as [string, string, string?];
      names.add(name);
      let of = labels.get(name);
      if (!of) labels.set(name, (of = new Set()));
      for (const [, label] of labelText.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="(?:[^"\\]|\\.)*"/g)) of.add(label!);
    }
  }
  return { has: (name) => names.has(name), labels: (name) => labels.get(name), names: () => [...names].sort() };
}
