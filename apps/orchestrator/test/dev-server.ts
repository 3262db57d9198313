/** What the workflow tests share: a Temporal dev server with today's workflow bundle, and a poll. */
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { startTemporalDevServer } from '@oms/testing';
import { bundleWorkflowCode } from '@temporalio/worker';

/** A dev server and the bundle of src/workflows, made side by side (each takes seconds). */
export const startServerAndBundle = () =>
  Promise.all([
    startTemporalDevServer(),
    bundleWorkflowCode({ workflowsPath: fileURLToPath(new URL('../src/workflows/index.ts', import.meta.url)), logger: undefined }),
  ]);

/** Waits until `check` holds, polling. */
export async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await sleep(20);
}
