/**
 * npm run reshard -- --target 2 --buckets 0-15,40   starts a move, then watches it
 * npm run reshard -- --watch <moveId>                only watches
 * npm run reshard -- --pause|--resume|--cancel <moveId>
 *
 * Talks to Temporal directly (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
 * TEMPORAL_TASK_QUEUE and TLS settings, as the gateway reads them); the
 * orchestrator's ReshardWorkflow does the moving. Watching prints the
 * progress every second until the move ends; Ctrl-C stops watching, not the move.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import {
  newMoveId,
  pauseReshardSignal,
  progressQuery,
  reshardWorkflowId,
  resumeReshardSignal,
  type ReshardInput,
  type ReshardProgress,
} from '@oms/contracts/workflows';
import { loadConfig, temporalConfigShape, temporalConnectionOptions } from '@oms/platform';
import { Client, Connection } from '@temporalio/client';
import { parseBuckets } from './bucket-list';

const usage =
  'usage: npm run reshard -- --target <shard> --buckets <list, e.g. 0-15,40> | --watch <moveId> | --pause <moveId> | --resume <moveId> | --cancel <moveId>';

const { values: args } = parseArgs({
  options: Object.fromEntries(['target', 'buckets', 'watch', 'pause', 'resume', 'cancel'].map((name) => [name, { type: 'string' as const }])),
});

/** One line: buckets moved / total, the bucket and step under way, rows copied, the last fence. */
function describeProgress(p: ReshardProgress): string {
  const current = p.current
    ? `bucket ${p.current.bucket}${p.current.sourceShard === undefined ? '' : ` (from shard ${p.current.sourceShard})`}: ${p.current.step}`
    : '-';
  const lastFence = p.fencesMs.at(-1);
  return [
    `${p.moved.length}/${p.buckets.length} buckets moved to shard ${p.targetShard}`,
    current,
    `${p.rowsCopied} rows copied`,
    `last fence ${lastFence === undefined ? '-' : `${lastFence.toFixed(1)} ms`}`,
    p.state === 'running' && p.paused ? 'pausing' : p.state,
    ...(p.failure ? [p.failure] : []),
  ].join(' | ');
}

async function watch(client: Client, moveId: string): Promise<number> {
  const handle = client.workflow.getHandle(reshardWorkflowId(moveId));
  const ended = handle.result().then(
    () => ({ error: undefined }),
    (error: unknown) => ({ error }),
  );
  for (;;) {
    console.log(describeProgress(await handle.query(progressQuery)));
    const outcome = await Promise.race([ended, sleep(1_000)]);
    if (!outcome) continue;
    const { status } = await handle.describe();
    console.log(`move ${moveId} ${status.name.toLowerCase()}: ${describeProgress(await handle.query(progressQuery))}`);
    return status.name === 'COMPLETED' || status.name === 'CANCELLED' ? 0 : 1;
  }
}

async function main(): Promise<number> {
  const config = loadConfig(temporalConfigShape);
  const connection = await Connection.connect(temporalConnectionOptions(config));
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  try {
    if (args.target !== undefined || args.buckets !== undefined) {
      const targetShard = Number(args.target);
      if (!Number.isInteger(targetShard) || targetShard < 0) throw new Error(`--target must be a shard number (>= 0), not ${args.target ?? 'missing'}`);
      const input: ReshardInput = { moveId: newMoveId(), targetShard, buckets: parseBuckets(args.buckets ?? '') };
      await client.workflow.start('ReshardWorkflow', { taskQueue: config.TEMPORAL_TASK_QUEUE, workflowId: reshardWorkflowId(input.moveId), args: [input] });
      console.log(
        `move ${input.moveId} started: ${input.buckets.length} buckets to shard ${targetShard} (watch again: npm run reshard -- --watch ${input.moveId})`,
      );
      return await watch(client, input.moveId);
    }
    if (args.watch) return await watch(client, args.watch);
    const handle = (moveId: string) => client.workflow.getHandle(reshardWorkflowId(moveId));
    if (args.pause) {
      await handle(args.pause).signal(pauseReshardSignal);
      console.log(`move ${args.pause}: pause asked for; it holds before its next step`);
    } else if (args.resume) {
      await handle(args.resume).signal(resumeReshardSignal);
      console.log(`move ${args.resume}: resumed`);
    } else if (args.cancel) {
      await handle(args.cancel).cancel();
      console.log(`move ${args.cancel}: cancel asked for; the bucket under way stays where it was, buckets moved stay moved`);
    } else {
      console.error(usage);
      return 2;
    }
    return 0;
  } finally {
    await connection.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
