/** What the saga benchmark measures with: percentiles, CPU time from /proc, progress, tables. */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** The q-quantile (0..1) of some durations, in the unit they came in. */
export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

interface ProcStat {
  ppid: number;
  /** utime + stime + cutime + cstime, in clock ticks. */
  ticks: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: split after its last ")".
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): ppid is field 4, utime..cstime are fields 14..17.
    const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number);
    return { ppid: Number(fields[1]), ticks: utime! + stime! + cutime! + cstime! };
  } catch {
    return undefined; // gone
  }
}

/**
 * CPU seconds used so far by a process and all its descendants. Counting
 * cutime/cstime of every live process covers children that already exited
 * (e.g. Postgres backends), once each: a reaped child's time moves into its
 * parent's cutime, a live one's is counted where it is.
 */
function treeCpuSeconds(root: number): number {
  const stats = new Map<number, ProcStat>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat) stats.set(Number(name), stat);
  }
  let ticks = 0;
  const pending = [root];
  while (pending.length) {
    const pid = pending.pop()!;
    ticks += stats.get(pid)?.ticks ?? 0;
    for (const [child, stat] of stats) if (stat.ppid === pid) pending.push(child);
  }
  return ticks / ticksPerSecond;
}

/** CPU seconds of named processes (each with its descendants) between `start()` and `stop()`. */
export function cpuMeter(pids: Record<string, number>) {
  const read = () => Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, treeCpuSeconds(pid)]));
  let before: Record<string, number> = {};
  return {
    start: () => void (before = read()),
    stop: (): Record<string, number> => Object.fromEntries(Object.entries(read()).map(([name, s]) => [name, s - before[name]!])),
  };
}

/** A line every second on stderr (rewritten in place on a terminal), until `done()`. */
export function progress(label: string, total: number, count: () => number): { done(): void } {
  const tty = process.stderr.isTTY;
  const show = () => process.stderr.write(`${tty ? '\r' : ''}  ${label}: ${count()}/${total} done${tty ? '   ' : '\n'}`);
  const timer = setInterval(show, 1_000);
  return {
    done() {
      clearInterval(timer);
      show();
      if (tty) process.stderr.write('\n');
    },
  };
}

/** A Markdown table; numbers are printed as they are given (format them first). */
export function table(headers: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

export const ms = (x: number): string => (Number.isFinite(x) ? x.toFixed(x < 10 ? 1 : 0) : '—');
export const fixed = (x: number, digits = 2): string => (Number.isFinite(x) ? x.toFixed(digits) : '—');
export const ratio = (x: number, floor: number): string => (floor > 0 && Number.isFinite(x) ? `${(x / floor).toFixed(1)}×` : '—');
