/**
 * Records OrderWorkflow histories of a version on a dev server, with fake
 * activities, into test/fixtures/histories/<version>-<scenario>.json. Run it
 * once per released version; replay.test.ts replays them against today's code.
 *   npx tsx scripts/record-histories.ts <version> [workflows file, default: today's]
 * e.g. `v1 test/fixtures/v1-workflows.ts`, `v2`.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { findTemporalCli } from '@oms/devstack';
import { startTemporalDevServer } from '@oms/testing';
import { ApplicationFailure } from '@temporalio/common';
import type { WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { fakeActivities, Gate } from '../test/fake-activities';
import { cancelOrderSignal, cancelOrderUpdate, orderWorkflowId } from '@oms/contracts/workflows';

// Each scenario overrides the step under both its names, so that any version records it.
const declined = async () => {
  throw ApplicationFailure.nonRetryable('card declined: insufficient funds', 'PaymentDeclinedError');
};
const outOfStock = async () => {
  throw ApplicationFailure.create({
    message: 'insufficient stock for sku SKU-9',
    type: 'InsufficientStockError',
    nonRetryable: true,
    details: [{ sku: 'SKU-9' }],
  });
};
/** The customer cancels while stock is being reserved (`send` cancels; the reservation hears it and ends). */
function cancelledWhileReserving(send: (handle: WorkflowHandle) => Promise<unknown>) {
  const gate = new Gate();
  const reserving = () => gate.wait();
  return {
    activities: fakeActivities([], { reserve: reserving, reserveStock: reserving }),
    drive: async (handle: WorkflowHandle) => {
      await gate.entered;
      await send(handle);
    },
  };
}

const scenarios: Record<string, { activities: ReturnType<typeof fakeActivities>; drive?: (handle: WorkflowHandle) => Promise<void> }> = {
  completed: { activities: fakeActivities([]) },
  'payment-declined': { activities: fakeActivities([], { charge: declined, chargePayment: declined }) },
  'out-of-stock': { activities: fakeActivities([], { reserve: outOfStock, reserveStock: outOfStock }) },
  cancelled: cancelledWhileReserving((handle) => handle.signal(cancelOrderSignal, 'changed my mind')),
  'cancel-update': cancelledWhileReserving((handle) => handle.executeUpdate(cancelOrderUpdate, { args: [{ reason: 'changed my mind' }] })),
};

const [version, workflows = 'src/workflows/index.ts', ...only] = process.argv.slice(2);
if (!version) throw new Error('usage: record-histories.ts <version> [workflows file] [scenario...]');

const env = await startTemporalDevServer();
try {
  for (const [name, { activities, drive }] of Object.entries(scenarios).filter(([name]) => only.length === 0 || only.includes(name))) {
    const taskQueue = `record-${name}`;
    const orderId = `${version}-${name}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath: fileURLToPath(new URL(`../${workflows}`, import.meta.url)),
      activities,
      sinks: { orderMetrics: { finished: { fn: () => undefined }, gaveUp: { fn: () => undefined } } },
      // The gated fakes heartbeat promptly, so a cancellation reaches them.
      defaultHeartbeatThrottleInterval: '20 ms',
    });
    const handle = await env.client.workflow.start('OrderWorkflow', {
      taskQueue,
      workflowId: orderWorkflowId(orderId),
      args: [{ orderId, paymentToken: 'tok_success', deliveryTimeoutMs: 1_000 }],
    });
    await worker.runUntil(Promise.all([handle.result(), drive?.(handle)]));
    // The CLI's JSON is the format Temporal's tools and the SDK's replayer share.
    const json = execFileSync(findTemporalCli()!, ['workflow', 'show', '--address', env.address, '-w', handle.workflowId, '-o', 'json']);
    const file = new URL(`../test/fixtures/histories/${version}-${name}.json`, import.meta.url);
    writeFileSync(file, json);
    console.log(`recorded ${fileURLToPath(file)} (${(JSON.parse(json.toString()) as { events: unknown[] }).events.length} events)`);
  }
} finally {
  await env.teardown();
}
