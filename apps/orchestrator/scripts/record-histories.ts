/**
 * Records OrderWorkflow histories of version 1 (test/fixtures/v1-workflows.ts)
 * on a dev server, with fake activities, into test/fixtures/histories/. Run it
 * once per released version; replay.test.ts replays them against today's code.
 *   npx tsx scripts/record-histories.ts
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { findTemporalCli, startTemporalDevServer } from '@oms/testing';
import { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { fakeActivities } from '../test/fake-activities';
import { orderWorkflowId } from '@oms/contracts/workflows';

const scenarios = {
  completed: fakeActivities([]),
  'payment-declined': fakeActivities([], {
    chargePayment: async () => {
      throw ApplicationFailure.nonRetryable('card declined: insufficient funds', 'PaymentDeclinedError');
    },
  }),
  'out-of-stock': fakeActivities([], {
    reserveStock: async () => {
      throw ApplicationFailure.create({ message: 'insufficient stock for sku SKU-9', type: 'InsufficientStockError', nonRetryable: true, details: [{ sku: 'SKU-9' }] });
    },
  }),
};

const env = await startTemporalDevServer();
try {
  for (const [name, activities] of Object.entries(scenarios)) {
    const taskQueue = `record-${name}`;
    const orderId = `v1-${name}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath: fileURLToPath(new URL('../test/fixtures/v1-workflows.ts', import.meta.url)),
      activities,
      sinks: { orderMetrics: { finished: { fn: () => undefined } } },
    });
    const handle = await env.client.workflow.start('OrderWorkflow', {
      taskQueue,
      workflowId: orderWorkflowId(orderId),
      args: [{ orderId, paymentToken: 'tok_success', deliveryTimeoutMs: 1_000 }],
    });
    await worker.runUntil(handle.result());
    // The CLI's JSON is the format Temporal's tools and the SDK's replayer share.
    const json = execFileSync(findTemporalCli()!, ['workflow', 'show', '--address', env.address, '-w', handle.workflowId, '-o', 'json']);
    const file = new URL(`../test/fixtures/histories/v1-${name}.json`, import.meta.url);
    writeFileSync(file, json);
    console.log(`recorded ${fileURLToPath(file)} (${(JSON.parse(json.toString()) as { events: unknown[] }).events.length} events)`);
  }
} finally {
  await env.teardown();
}
