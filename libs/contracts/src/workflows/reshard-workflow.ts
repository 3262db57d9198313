/**
 * ReshardWorkflow's contract: its input (state carried across
 * continue-as-new), the progress its `progress` query answers, the pause
 * and resume signals. Cancel is Temporal's own workflow cancellation.
 *
 * Pause and resume are signals, not Updates: they are durable and accepted
 * while no worker runs (an Update waits for one), asking twice is harmless,
 * and the caller sees their effect in the progress query.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';

export const reshardWorkflowId = (moveId: string) => `reshard-${moveId}`;

const moveIdAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
/** A fresh random move id for whoever starts a move (never workflow code): 16 characters of `[A-Za-z0-9_-]`, safe in prepared transaction ids. */
export const newMoveId = (): string => Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => moveIdAlphabet[byte & 63]).join('');

export interface ReshardInput {
  /** Names the move in order-service's prepared transactions and decision records: `[A-Za-z0-9_-]{1,64}`. */
  moveId: string;
  targetShard: number;
  /** Moved one at a time, in this order. */
  buckets: number[];
  /** Carried over continue-as-new. */
  state?: ReshardState;
  /** Buckets one run moves before it continues as new (default 100). */
  bucketsPerRun?: number;
  /** How long copy, catch-up and cut-over may go without a heartbeat before the attempt is retried (default 30 s). */
  heartbeatTimeoutMs?: number;
}

/** What one run hands the next. */
export interface ReshardState {
  moved: number[];
  rowsCopied: number;
  fencesMs: number[];
  paused: boolean;
}

export type ReshardStep = 'prepare' | 'copy' | 'catch up' | 'cut over' | 'abandon';

export interface ReshardProgress extends ReshardState {
  moveId: string;
  targetShard: number;
  /** All the buckets of the move. */
  buckets: number[];
  /** Buckets on the target now, in the order they got there (found there by prepare, or cut over). */
  moved: number[];
  /** The bucket under way; sourceShard once prepare has answered. */
  current?: { bucket: number; sourceShard?: number; step: ReshardStep };
  /** A pause was asked for (and no resume since); it takes effect between steps. */
  paused: boolean;
  /** Rows the copies wrote (the catch-ups' changes not included). */
  rowsCopied: number;
  /** How long each cut-over held the bucket's writes, in ms: one per bucket this move cut over (a bucket found moved already has none). */
  fencesMs: number[];
  /** `paused` while the workflow holds between steps; `failed` with the reason when a step was refused. */
  state: 'running' | 'paused' | 'cancelled' | 'done' | 'failed';
  failure?: string;
}

export const progressQuery = defineQuery<ReshardProgress>('progress');
export const pauseReshardSignal = defineSignal('pauseReshard');
export const resumeReshardSignal = defineSignal('resumeReshard');

/** The failure type of an RPC the move's shards refused (non-retryable): e.g. FAILED_PRECONDITION when a server has max_prepared_transactions = 0. */
export const bucketMoveRefused = 'BucketMoveRefusedError';
