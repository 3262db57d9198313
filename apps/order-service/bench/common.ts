/**
 * What the order-service benches share: loading by chunks with progress, the
 * bench rows' items and history in SQL, percentiles, the server's counters
 * from its /metrics, and the printed tables.
 */
import { loadavg } from 'node:os';

export const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
export const ms = (t: number) => `${t.toFixed(t < 1 ? 2 : 1)} ms`;
/** The `p` quantile (0..1) of ascending `sorted`. */
export const at = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
export const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;

/** A table row: the first cell left-aligned, the others right-aligned, each in its width. */
export const row = (cells: string[], widths: number[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[0]!) : cell.padStart(widths[i]!))).join('');

/** The machine's 1, 5 and 15 minute load averages: the benches share it with whatever else runs. */
export const loadAverage = () =>
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;

const chunkRows = 100_000;

/** Runs `insert` over [from, to] in chunks, printing the rows so far; resolves with the rows inserted. */
export async function load(label: string, from: number, to: number, insert: (lo: number, hi: number) => Promise<number>): Promise<number> {
  const started = performance.now();
  let rows = 0;
  for (let lo = from; lo <= to; lo += chunkRows) {
    rows += await insert(lo, Math.min(lo + chunkRows - 1, to));
    if (process.stdout.isTTY) process.stdout.write(`\rloading ${label}... ${fmt(rows)}`);
  }
  process.stdout.write(`${process.stdout.isTTY ? '\r' : ''}loading ${label}... ${fmt(rows)} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  return rows;
}

/**
 * The items of the orders in `orders` (a table or CTE with id and
 * total_minor, aliased o; the caller may add a WHERE): 2 or 3 that split the
 * order's total (3 when it is odd), so totals add up as in real data.
 */
export const insertItemsSql = (orders: string) =>
  `INSERT INTO order_items (order_id, sku, name, quantity, unit_price_minor, line_total_minor)
   SELECT o.id, 'SKU-' || k, 'Bench item ' || k, 1, p.price, p.price
   FROM ${orders} o,
        LATERAL (SELECT 2 + o.total_minor % 2 AS n) s,
        LATERAL generate_series(1, s.n::int) k,
        LATERAL (SELECT o.total_minor / s.n + CASE WHEN k = s.n THEN o.total_minor % s.n ELSE 0 END AS price) p`;

/** Each order's first history row (its status), for the orders in `orders` (id and status; the caller may add a WHERE). */
export const insertHistorySql = (orders: string) =>
  `INSERT INTO order_status_history (order_id, seq, to_status, reason) SELECT id, 1, status, 'bench' FROM ${orders}`;

/**
 * From a server's /metrics: its calls of `method` (total seconds inside the
 * interceptors, count) and its CPU seconds (process_cpu_seconds_total: user +
 * system, all threads). A scrape costs the server a few ms of CPU itself.
 */
export async function serverCounters(metricsUrl: string, method: string): Promise<{ seconds: number; calls: number; cpu: number }> {
  const lines = (await (await fetch(metricsUrl)).text()).split('\n');
  const total = (name: string, filter = '') =>
    lines.filter((line) => line.startsWith(`${name}{`) && line.includes(filter)).reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  return {
    seconds: total('rpc_server_duration_seconds_sum', `method="${method}"`),
    calls: total('rpc_server_duration_seconds_count', `method="${method}"`),
    cpu: total('process_cpu_seconds_total'),
  };
}
