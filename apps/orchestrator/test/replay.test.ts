/**
 * Versioning. OrderWorkflow changed behind patched(): the fraud check
 * (`fraud-check`), the lean saga (`saga-v2`), then waiting for the customer
 * when stock is short (`awaiting-customer`). Histories recorded from
 * each version (scripts/record-histories.ts) must replay against today's
 * code; the same changes without patched() must not; and an order started by
 * the fleet before the upgrade finishes on a worker running today's code.
 * The cancel Update needs no patch: a handler adds no command, so histories
 * cancelled by the older signal replay, and the Update reaches old orders.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cancelOrderSignal, cancelOrderUpdate, orderWorkflowId, statusQuery } from '@oms/contracts/workflows';
import { startTemporalDevServer } from '@oms/testing';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DeterminismViolationError } from '@temporalio/workflow';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeActivities, Gate, type Calls } from './fake-activities';

const historiesDir = new URL('./fixtures/histories/', import.meta.url);
const histories = readdirSync(historiesDir).map((file) => [file, JSON.parse(readFileSync(new URL(file, historiesDir), 'utf8'))] as const);
const before = histories.filter(([file]) => file.startsWith('v1-'));
const bundle = (path: string) => bundleWorkflowCode({ workflowsPath: fileURLToPath(new URL(path, import.meta.url)) });
const sinks = { orderMetrics: { finished: { fn: () => undefined }, gaveUp: { fn: () => undefined } } };

let current: WorkflowBundleWithSourceMap;
let unversioned: WorkflowBundleWithSourceMap;
let fleetBefore: WorkflowBundleWithSourceMap;
let env: TestWorkflowEnvironment;

beforeAll(async () => {
  [current, unversioned, fleetBefore, env] = await Promise.all([
    bundle('../src/workflows/index.ts'),
    bundle('./fixtures/unversioned-workflows.ts'),
    bundle('./fixtures/v1-fraud-check-workflows.ts'),
    startTemporalDevServer(),
  ]);
});

afterAll(async () => {
  await env?.teardown();
});

describe('recorded histories', () => {
  it('are there for every version and outcome', () => {
    // `cancelled`: by the cancelOrder signal, recorded before cancel became an Update; `cancel-update`: by the Update.
    const scenarios = ['completed', 'out-of-stock', 'payment-declined', 'cancelled'];
    const expected = ['v1', 'v1-fraud-check', 'v2'].flatMap((version) => scenarios.map((s) => `${version}-${s}.json`));
    // Since `awaiting-customer`: the customer amends, or does not answer.
    // Since `stock-came-back`: a refusal with nothing short, which cancelled the order before it.
    expected.push('v2-cancel-update.json', 'v3-awaiting-customer-amended.json', 'v3-awaiting-customer-no-answer.json', 'v3-stock-came-back.json');
    expect(histories.map(([file]) => file).sort()).toEqual(expected.sort());
  });

  it.each(histories)('%s replays against today’s workflow', async (_file, history) => {
    await expect(Worker.runReplayHistory({ workflowBundle: current }, history)).resolves.toBeUndefined();
  });

  it.each(before)('%s does not replay when the changes ship without patched()', async (_file, history) => {
    await expect(Worker.runReplayHistory({ workflowBundle: unversioned }, history)).rejects.toBeInstanceOf(DeterminismViolationError);
  });

  it.each([
    ['v2-out-of-stock.json', 'waiting for the customer'],
    ['v3-stock-came-back.json', 'the one more try'],
  ])('%s does not replay when %s ships without patched()', async (file) => {
    const [, history] = histories.find(([name]) => name === file)!;
    await expect(Worker.runReplayHistory({ workflowBundle: unversioned }, history)).rejects.toBeInstanceOf(DeterminismViolationError);
  });
});

describe('an order under way during the upgrade', () => {
  /**
   * The old fleet runs an order up to the charge; its worker stops while the
   * charge is under way (a graceful shutdown lets the charge finish and
   * report). Answers the handle and a worker with today's code on its queue.
   */
  async function startedByTheOldFleet() {
    const taskQueue = `upgrade-${randomUUID()}`;
    const orderId = String(Math.floor(Math.random() * 1e9));
    const worker = (workflowBundle: WorkflowBundleWithSourceMap, activities: ReturnType<typeof fakeActivities>) =>
      Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle, activities, sinks, shutdownGraceTime: '10 seconds' });

    const gate = new Gate({ hearsCancellation: false });
    const oldCalls: Calls = [];
    const old = await worker(fleetBefore, fakeActivities(oldCalls, { chargePayment: () => gate.wait().then(() => ({ paymentId: 'pay-1' })) }));
    const oldRun = old.run();
    const handle = await env.client.workflow.start('OrderWorkflow', {
      taskQueue,
      workflowId: orderWorkflowId(orderId),
      args: [{ orderId, paymentToken: 'tok_success', deliveryTimeoutMs: 1_000 }],
    });
    await gate.entered;
    old.shutdown();
    gate.open();
    await oldRun;
    expect(oldCalls).toEqual(['validateOrder', 'checkFraud', 'reserveStock', 'setOrderStatus(VALIDATED,RESERVED)', 'chargePayment(tok_success)']);
    return { handle, todaysWorker: (calls: Calls) => worker(current, fakeActivities(calls)) };
  }

  it('started by the old fleet, finishes its v1 steps on a worker with today’s code', async () => {
    const { handle, todaysWorker } = await startedByTheOldFleet();
    // Today's worker takes over: it replays the history, keeps to the v1 steps, and finishes them.
    const newCalls: Calls = [];
    const [outcome, progress] = await (await todaysWorker(newCalls)).runUntil(async () => [await handle.result(), await handle.query(statusQuery)] as const);
    expect(outcome).toMatchObject({ status: 'COMPLETED', trackingNumber: 'SIM-TRACK' });
    expect(newCalls).toEqual([
      'setOrderStatus(RESERVED,PAID)',
      'commitStock',
      'setOrderStatus(PAID,SHIPPING)',
      'arrangeShipping',
      'setOrderStatus(SHIPPING,COMPLETED)',
    ]);
    expect(progress.stepsDone).toEqual(['validate', 'fraud check', 'reserve stock', 'charge payment', 'commit stock', 'arrange shipping', 'complete']);
  });

  it.each([
    ['the cancel Update', (handle: WorkflowHandle) => handle.executeUpdate(cancelOrderUpdate, { args: [{ reason: 'changed my mind' }] })],
    ['the older cancelOrder signal', (handle: WorkflowHandle) => handle.signal(cancelOrderSignal, 'changed my mind')],
  ])('started by the old fleet, is cancelled by %s on a worker with today’s code', async (_how, cancel) => {
    const { handle, todaysWorker } = await startedByTheOldFleet();
    const newCalls: Calls = [];
    // Today's worker replays the history first, then hears the cancel.
    const [, outcome] = await (await todaysWorker(newCalls)).runUntil(Promise.all([cancel(handle), handle.result()]));
    expect(outcome).toMatchObject({ status: 'CANCELLED', reason: 'changed my mind' });
    // The charge's status move may run first (it shares a workflow task with the cancel); nothing after it does.
    expect(newCalls.slice(-4)).toEqual(['markCancelling', 'refundPayment', 'releaseReservation', 'markCancelled(changed my mind)']);
    expect(newCalls).not.toContain('commitStock');
  });
});
