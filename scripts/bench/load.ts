/** Load drivers: a closed loop (C in flight) and an open loop (a fixed offered rate). */
import { progress } from './measure';

export interface Run<T> {
  results: T[];
  failures: string[];
  /** performance.now() at the first start. */
  startedAt: number;
  /** From the first start to the last end, in ms. */
  elapsedMs: number;
}

/** Runs `one(i)` for i < total with `concurrency` in flight; a failure is recorded, not fatal. */
export async function closedLoop<T>(label: string, total: number, concurrency: number, one: (i: number) => Promise<T>): Promise<Run<T>> {
  const results: T[] = [];
  const failures: string[] = [];
  let next = 0;
  const shown = progress(label, total, () => results.length + failures.length);
  const started = performance.now();
  const lane = async () => {
    for (let i = next++; i < total; i = next++) {
      await one(i).then(
        (r) => results.push(r),
        (e: unknown) => failures.push(String(e)),
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, lane));
  const elapsedMs = performance.now() - started;
  shown.done();
  return { results, failures, startedAt: started, elapsedMs };
}

/** Starts `one(i)` at `perSecond` for `seconds`, whether or not earlier ones have finished (open loop). */
export async function openLoop<T>(label: string, perSecond: number, seconds: number, one: (i: number) => Promise<T>): Promise<Run<T>> {
  const total = Math.round(perSecond * seconds);
  const results: T[] = [];
  const failures: string[] = [];
  const shown = progress(label, total, () => results.length + failures.length);
  const started = performance.now();
  const running: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    // Scheduled from the start, so a late timer does not push every later request back.
    const due = started + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    running.push(
      one(i).then(
        (r) => void results.push(r),
        (e: unknown) => void failures.push(String(e)),
      ),
    );
  }
  await Promise.all(running);
  const elapsedMs = performance.now() - started;
  shown.done();
  return { results, failures, startedAt: started, elapsedMs };
}

/** `one()` run `count` times, one after another; each duration in ms. */
export async function sequential(count: number, one: (i: number) => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await one(i);
    times.push(performance.now() - started);
  }
  return times;
}
