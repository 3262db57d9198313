/**
 * The orphan reconciler's Temporal Schedule, made sure of by every worker at
 * start. A schedule rather than a timer loop in the worker: Temporal runs
 * each sweep once however many workers there are, a sweep survives a worker
 * dying mid-way (its activity resumes from its last page), the runs show in
 * Temporal's UI and history, and an operator can pause or trigger it.
 */
import { orphanOrdersScheduleId, type OrphanSweepInput } from '@oms/contracts/workflows';
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleUpdateOptions } from '@temporalio/client';

export interface OrphanScheduleSettings extends OrphanSweepInput {
  taskQueue: string;
  /** How often a sweep starts (ms). */
  everyMs: number;
}

/**
 * Creates the schedule, or brings an existing one to these settings (a
 * worker deployed with new ones takes it over). Answers which it did.
 */
export async function scheduleOrphanSweeps(client: Client, { taskQueue, everyMs, olderThanMs }: OrphanScheduleSettings): Promise<'created' | 'updated'> {
  const schedule: Omit<ScheduleUpdateOptions, 'state'> = {
    spec: { intervals: [{ every: everyMs }] },
    action: {
      type: 'startWorkflow',
      workflowType: 'OrphanOrdersWorkflow',
      workflowId: orphanOrdersScheduleId,
      taskQueue,
      args: [{ olderThanMs } satisfies OrphanSweepInput],
    },
    // A sweep still running (a big backlog, order-service down) is not joined by a second one; missed runs are not made up.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
  };
  try {
    await client.schedule.create({ scheduleId: orphanOrdersScheduleId, ...schedule });
    return 'created';
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    await client.schedule.getHandle(orphanOrdersScheduleId).update((current) => ({ ...current, ...schedule }));
    return 'updated';
  }
}
