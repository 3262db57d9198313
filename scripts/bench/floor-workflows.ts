/**
 * The floor: a workflow of the order saga's shape that does nothing else —
 * `activities` sequential no-op activities, then a child started with
 * ParentClosePolicy ABANDON that waits on a long timer (as delivery tracking
 * does). Whatever the saga costs above this is ours, not Temporal's.
 * Bundled by the benchmark's own worker: deterministic code only.
 */
import { ParentClosePolicy, proxyActivities, sleep, startChild, workflowInfo } from '@temporalio/workflow';
import type { floorActivities } from './floor';

// The saga's activity options, so the server does the same work per activity.
const { noop } = proxyActivities<typeof floorActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
});

export async function FloorWorkflow(input: { activities: number; childTimerMs: number }): Promise<void> {
  for (let i = 0; i < input.activities; i++) await noop();
  await startChild(FloorChildWorkflow, {
    workflowId: `${workflowInfo().workflowId}-child`,
    args: [input.childTimerMs],
    parentClosePolicy: ParentClosePolicy.ABANDON,
  });
}

export async function FloorChildWorkflow(timerMs: number): Promise<void> {
  await sleep(timerMs);
}

/** Returns at once: for timing StartWorkflow on its own. */
export async function EmptyWorkflow(): Promise<void> {}
