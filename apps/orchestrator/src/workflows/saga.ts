import { CancellationScope, log, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { untilDone } from './activity-options';

/** The undo activities: they never give up. */
export const undo = proxyActivities<Activities>(untilDone);

/**
 * The undo list of a saga. Each step's undo is registered before the step
 * runs (a step that timed out may still have happened, so every undo must
 * be safe when there is nothing to undo), and they run in reverse order in a
 * non-cancellable scope, so cancelling the workflow still undoes its work.
 */
export class Compensations {
  private readonly undos: { name: string; undo: () => Promise<unknown> }[] = [];

  add(name: string, undo: () => Promise<unknown>): void {
    this.undos.push({ name, undo });
  }

  /** Runs every undo, newest first; `onRun` hears of each as it finishes. */
  run(onRun: (name: string) => void): Promise<void> {
    return CancellationScope.nonCancellable(async () => {
      for (const { name, undo } of [...this.undos].reverse()) {
        log.info('compensating', { compensation: name });
        await undo();
        onRun(name);
      }
    });
  }
}
