/**
 * Versioning: the fraud check was added to OrderWorkflow behind
 * patched('fraud-check'). Histories recorded from version 1
 * (scripts/record-histories.ts) must replay against today's code; the same
 * change without patched() must not.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DeterminismViolationError } from '@temporalio/workflow';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';

const historiesDir = new URL('./fixtures/histories/', import.meta.url);
const histories = readdirSync(historiesDir).map((file) => [file, JSON.parse(readFileSync(new URL(file, historiesDir), 'utf8'))] as const);
const bundle = (path: string) => bundleWorkflowCode({ workflowsPath: fileURLToPath(new URL(path, import.meta.url)) });

let current: WorkflowBundleWithSourceMap;
let unversioned: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  [current, unversioned] = await Promise.all([bundle('../src/workflows/index.ts'), bundle('./fixtures/unversioned-workflows.ts')]);
});

describe('replaying version 1 histories', () => {
  it('has recorded histories to replay', () => {
    expect(histories.map(([file]) => file).sort()).toEqual(['v1-completed.json', 'v1-out-of-stock.json', 'v1-payment-declined.json']);
  });

  it.each(histories)('%s replays against the patched workflow', async (_file, history) => {
    await expect(Worker.runReplayHistory({ workflowBundle: current }, history)).resolves.toBeUndefined();
  });

  it.each(histories.filter(([file]) => file !== 'v1-out-of-stock.json'))(
    '%s does not replay when the change ships without patched()',
    async (_file, history) => {
      await expect(Worker.runReplayHistory({ workflowBundle: unversioned }, history)).rejects.toBeInstanceOf(DeterminismViolationError);
    },
  );
});
