/**
 * Queries that span the shards (the back office's lists and counts): every
 * shard is asked at once, each within its own time limit, so a slow or dead
 * shard costs at most that limit and never the other shards' answers.
 */
import { Code, ConnectError } from '@connectrpc/connect';
import type { OrderPosition } from '../domain';
import type { Shard as RoutedShard } from './router';

/** What a cross-shard query needs of a shard. */
export type Shard = Pick<RoutedShard, 'id' | 'name' | 'store'>;

/** A shard left out of a cross-shard answer, and why. */
export interface MissingShard {
  shard: number;
  reason: string;
}

export interface FanOut<T> {
  answers: { shard: Shard; value: T }[];
  missing: MissingShard[];
}

/** Rejects when `work` has not settled within `ms`. (The query itself runs on: neither pg nor Prisma can cancel it.) */
function withinTime<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** A database error's own words: Prisma's messages begin with lines about the call, the cause is the last line. */
function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.trim().split('\n').at(-1)!.trim() || 'failed';
}

/**
 * `query` on every shard concurrently: the answers of the shards that
 * answered within `timeoutMs`, and the others as missing, with why. When no
 * shard answers at all there is nothing to show: UNAVAILABLE, naming each.
 */
export async function fanOut<T>(shards: Shard[], timeoutMs: number, query: (shard: Shard) => Promise<T>): Promise<FanOut<T>> {
  const settled = await Promise.allSettled(shards.map(async (shard) => withinTime(query(shard), timeoutMs)));
  const answers: FanOut<T>['answers'] = [];
  const failed: { shard: Shard; reason: string }[] = [];
  settled.forEach((outcome, i) => {
    const shard = shards[i]!;
    if (outcome.status === 'fulfilled') answers.push({ shard, value: outcome.value });
    else failed.push({ shard, reason: reasonOf(outcome.reason) });
  });
  if (answers.length === 0 && failed.length > 0) {
    throw new ConnectError(`no shard answered: ${failed.map((f) => `shard ${f.shard.id} (${f.shard.name}): ${f.reason}`).join('; ')}`, Code.Unavailable);
  }
  return { answers, missing: failed.map((f) => ({ shard: f.shard.id, reason: f.reason })) };
}

const newestFirst = (a: OrderPosition, b: OrderPosition) => b.createdAt.getTime() - a.createdAt.getTime() || (b.id > a.id ? 1 : b.id < a.id ? -1 : 0);

/**
 * The first `count` rows of the shards' pages (each newest first) in one
 * order, newest first. The pages hold at most limit + 1 rows per shard, so
 * sorting them together is as cheap as a k-way merge, and plainer.
 */
export function mergeNewestFirst<T extends OrderPosition>(pages: T[][], count: number): T[] {
  return pages.flat().sort(newestFirst).slice(0, count);
}

/** As mergeNewestFirst, for pages each oldest first. */
export function mergeOldestFirst<T extends OrderPosition>(pages: T[][], count: number): T[] {
  return pages
    .flat()
    .sort((a, b) => newestFirst(b, a))
    .slice(0, count);
}
