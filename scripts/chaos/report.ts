/** The chaos run's summary: orders by outcome, the faults, each check. */
import type { CheckResult, Ledgers, PlacedOrder, UnplacedOrder } from './checks';
import type { FaultRecord } from './faults';
import { apps, type Kind } from './plan';

export interface ChaosResult {
  placed: PlacedOrder[];
  unplaced: UnplacedOrder[];
  ledgers: Ledgers;
  faults: FaultRecord[];
  /** Restarts per app as the supervisor counted them (system.json). */
  restarts: Record<string, number>;
  checks: CheckResult[];
  /** Requests the driver sent again with the same Idempotency-Key. */
  retries: number;
  /** 409 "conflict" answers it retried (a transient fault answered as a client error), by detail. */
  conflicts: Map<string, number>;
  seconds: { startup: number; placing: number; settling: number; total: number };
}

const table = (head: string[], rows: (string | number)[][]) => {
  const cells = [head, ...rows].map((r) => r.map(String));
  const widths = head.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(cells[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.slice(1).map(line)].join('\n');
};

export function formatReport(result: ChaosResult): string {
  const statusOf = new Map(result.ledgers.orders.map((o) => [o.id!, o.status!]));
  const kinds: Kind[] = ['success', 'flaky', 'slow', 'declined', 'out of stock'];
  const outcome = (p: PlacedOrder) => statusOf.get(p.orderId) ?? 'missing';
  const statuses = [...new Set(['COMPLETED', 'CANCELLED', ...result.placed.map(outcome)])];
  const row = (name: string, expected: string, placed: PlacedOrder[], unplaced: UnplacedOrder[]) => [
    name,
    expected,
    placed.length + unplaced.length,
    ...statuses.map((s) => placed.filter((p) => outcome(p) === s).length),
    unplaced.length,
  ];
  const byKind = kinds.map((kind) => {
    const expected = [...result.placed, ...result.unplaced].find((p) => p.kind === kind)?.expected.status ?? '-';
    return row(
      kind,
      expected,
      result.placed.filter((p) => p.kind === kind),
      result.unplaced.filter((p) => p.kind === kind),
    );
  });
  const total = row('all', '', result.placed, result.unplaced);

  const kills = (app: string) => result.faults.filter((f) => f.fault.kind === 'kill' && f.fault.app === app);
  const slowest = (records: FaultRecord[]) => (records.length ? `${(Math.max(...records.map((r) => r.recoveredInMs ?? NaN)) / 1000).toFixed(1)} s` : '-');
  const pg = result.faults.filter((f) => f.fault.kind === 'postgres restart');
  const faultRows = [
    ...apps.map((app) => [
      app,
      kills(app).length,
      result.restarts[app] ?? '?',
      kills(app)
        .map((k) => k.placed)
        .join(', '),
      slowest(kills(app)),
    ]),
    ['postgres (immediate stop, start 1.5 s later)', pg.length, pg.length, pg.map((k) => k.placed).join(', '), slowest(pg)],
  ];

  const checkRows = result.checks.map((c) => [
    c.failures.length ? 'FAIL' : 'pass',
    c.name,
    `${c.checked - Math.min(c.checked, c.failures.length)}/${c.checked} ok`,
  ]);
  const failures = result.checks
    .filter((c) => c.failures.length)
    .map(
      (c) =>
        `${c.name}: ${c.failures.length} failure(s)\n${c.failures
          .slice(0, 10)
          .map((f) => `  - ${f}`)
          .join('\n')}${c.failures.length > 10 ? `\n  ... and ${c.failures.length - 10} more` : ''}`,
    );

  const s = result.seconds;
  return [
    `Orders: ${result.placed.length} of ${result.placed.length + result.unplaced.length} placed (${result.retries} requests retried with the same Idempotency-Key)`,
    ...[...result.conflicts].map(([detail, n]) => `  note: ${n} answered 409 conflict "${detail}" (a transient fault as a client error), retried`),
    table(['kind', 'expected', 'orders', ...statuses, 'not placed'], [...byKind, total]),
    '',
    'Faults',
    table(['app', 'kills', 'restarts (supervisor)', 'at order', 'serving again after'], faultRows),
    '',
    "Checks (from the services' databases, every order shard)",
    table(['', 'check', 'result'], checkRows),
    ...(failures.length ? ['', ...failures] : []),
    '',
    `Time: start-up ${s.startup} s, placing ${s.placing} s, settling ${s.settling} s, total ${s.total} s`,
  ].join('\n');
}
