/**
 * Records OrderWorkflow histories of a version on a dev server, with fake
 * activities, into test/fixtures/histories/<version>-<scenario>.json. Run it
 * once per released version; replay.test.ts replays them against today's code.
 *   npx tsx scripts/record-histories.ts <version> [workflows file, default: today's] [scenario...]
 * e.g. `v1 test/fixtures/v1-workflows.ts`, `v2`; the scenarios default to the
 * three every version has (the customer's, since `awaiting-customer`, are named:
 * `v3 src/workflows/index.ts awaiting-customer-amended awaiting-customer-no-answer`).
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
import { amendOrderUpdate, cancelOrderSignal, cancelOrderUpdate, orderWorkflowId, statusQuery } from '@oms/contracts/workflows';

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

// Short of stock, first time only: the customer is asked, and answers (or not).
const shortOnce = () => {
  let refused = false;
  return fakeActivities([], {
    reserve: async () => {
      if (!refused) await outOfStock().finally(() => (refused = true));
    },
    stockShortfall: async () => [{ sku: 'SKU-1', requested: 2, available: 1 }],
  });
};
/** Once the order waits for the customer, amends it to what the stock covers. */
const amend = async (handle: WorkflowHandle) => {
  while (!(await handle.query(statusQuery)).awaitingCustomer) await new Promise((resolve) => setTimeout(resolve, 50));
  await handle.executeUpdate(amendOrderUpdate, { args: [{ lines: [{ sku: 'SKU-1', quantity: 1 }] }] });
};

const scenarios: Record<
  string,
  { activities: ReturnType<typeof fakeActivities>; awaitCustomerMs?: number; drive?: (handle: WorkflowHandle) => Promise<void> }
> = {
  completed: { activities: fakeActivities([]) },
  'payment-declined': { activities: fakeActivities([], { charge: declined, chargePayment: declined }) },
  'out-of-stock': { activities: fakeActivities([], { reserve: outOfStock, reserveStock: outOfStock }) },
  cancelled: cancelledWhileReserving((handle) => handle.signal(cancelOrderSignal, 'changed my mind')),
  'cancel-update': cancelledWhileReserving((handle) => handle.executeUpdate(cancelOrderUpdate, { args: [{ reason: 'changed my mind' }] })),
  'awaiting-customer-amended': { activities: shortOnce(), drive: amend },
  'awaiting-customer-no-answer': { activities: shortOnce(), awaitCustomerMs: 500 },
  // Refused for stock, yet nothing short when looked at (the stock came back).
  'stock-came-back': { activities: fakeActivities([], { reserve: outOfStock, reserveStock: outOfStock, stockShortfall: async () => [] }) },
};
// The scenarios every version can play (the others need a newer one).
const everyVersion = ['completed', 'payment-declined', 'out-of-stock', 'cancelled'];

const [version, workflows = 'src/workflows/index.ts', ...named] = process.argv.slice(2);
if (!version) throw new Error('usage: record-histories.ts <version> [workflows file] [scenario...]');

const env = await startTemporalDevServer();
try {
  for (const name of named.length > 0 ? named : everyVersion) {
    const { activities, awaitCustomerMs, drive } = scenarios[name]!;
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
      args: [{ orderId, paymentToken: 'tok_success', deliveryTimeoutMs: 1_000, awaitCustomerMs }],
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
