import { TestWorkflowEnvironment } from '@temporalio/testing';
import { fastTaskDispatch, findTemporalCli } from '@oms/devstack';

/**
 * A Temporal dev server (in memory) for one test file, from the CLI the set-up provides
 * (the SDK cannot download one here; there is no time-skipping server, so
 * tests pass short durations as workflow inputs instead).
 */
export async function startTemporalDevServer(): Promise<TestWorkflowEnvironment> {
  const path = findTemporalCli();
  if (!path) throw new Error('no Temporal CLI found: run `npm run setup` (it builds one into .tools/bin)');
  return TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path }, extraArgs: ['--log-level', 'error', ...fastTaskDispatch] },
  });
}
