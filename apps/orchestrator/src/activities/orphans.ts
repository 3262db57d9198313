/**
 * The orphan reconciler's activities (OrphanOrdersWorkflow). An orphan is a
 * PENDING order whose saga was never started: the gateway creates the order,
 * then starts its workflow, and may die in between. The sweep starts each
 * orphan's saga exactly as the gateway would have (orderWorkflowStart: same
 * id, same input, REJECT_DUPLICATE, so an order that has a saga is skipped
 * and no order ever gets two). An orphan placed without a payment token (by
 * older code) cannot be charged; the workflow cancels it, one durable
 * activity each.
 */
import { timestampDate, timestampFromMs } from '@bufbuild/protobuf/wkt';
import type { Client as RpcClient } from '@connectrpc/connect';
import type { StatusName } from '@oms/contracts/order-lifecycle';
import { OrderStatus, type OrderService, type PendingOrder } from '@oms/contracts/order/v1';
import {
  orderWorkflowId,
  orderWorkflowStart,
  orphanCancelReason,
  type OrderWorkflowInput,
  type OrphanSweepInput,
  type OrphanSweepResult,
} from '@oms/contracts/workflows';
import { Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type WorkflowClient } from '@temporalio/client';
import { Counter, type Registry } from 'prom-client';
import { key, orderStatus, signal } from './calls';

export interface OrphanDeps {
  order: RpcClient<typeof OrderService>;
  /** Starts the orphans' sagas. */
  workflows: WorkflowClient;
  /** Where and with what the sagas run: as the gateway starts them. */
  taskQueue: string;
  sagaSettings: Required<Pick<OrderWorkflowInput, 'deliveryTimeoutMs' | 'awaitCustomerMs'>>;
  registry: Registry;
  /** Candidates read per call (and per heartbeat); default 100. */
  pageSize?: number;
}

/** What a sweep found, without the cancels the workflow makes of the untokened orphans it names. */
export type OrphanSweep = Omit<OrphanSweepResult, 'cancelled'> & { untokened: string[] };

/** Where a sweep is: its heartbeat's details, so a retried attempt goes on from the last page done. */
interface SweepProgress extends OrphanSweep {
  createdBeforeMs: number;
  pageToken: string;
}

/** Untokened orphans one sweep hands the workflow at most (the rest wait for the next sweep): bounds its history. */
const maxUntokenedPerSweep = 500;

export function orphanActivities({ order, workflows, taskQueue, sagaSettings, registry, pageSize = 100 }: OrphanDeps) {
  const orphans = new Counter({
    name: 'order_orphans_total',
    help: 'PENDING orders found without a saga by the orphan reconciler, by what it did: started (their saga), cancelled (no payment token)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const status = orderStatus(order);

  /** Starts the saga as the gateway would; false when the order has one already. */
  async function start(candidate: PendingOrder): Promise<boolean> {
    const { orderId, paymentToken } = candidate;
    try {
      await workflows.start('OrderWorkflow', orderWorkflowStart(taskQueue, { orderId, paymentToken, ...sagaSettings }));
      return true;
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) return false;
      throw error;
    }
  }

  async function hasSaga(orderId: string): Promise<boolean> {
    try {
      await workflows.getHandle(orderWorkflowId(orderId)).describe();
      return true;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return false;
      throw error;
    }
  }

  return {
    /**
     * Pages through the PENDING orders older than `olderThanMs`, oldest
     * first, on every shard: starts the saga of each that has a payment token
     * and none yet; names those without a token and without a saga.
     * Heartbeats after each page with where it is.
     */
    async sweepOrphanOrders({ olderThanMs }: OrphanSweepInput): Promise<OrphanSweep> {
      const context = Context.current();
      const resumed = context.info.heartbeatDetails as SweepProgress | undefined;
      const progress: SweepProgress = resumed ?? {
        createdBeforeMs: Date.now() - olderThanMs,
        pageToken: '',
        candidates: 0,
        started: 0,
        alreadyStarted: 0,
        untokened: [],
      };
      const createdBefore = timestampFromMs(progress.createdBeforeMs);
      do {
        const page = await order.listPendingOrders({ createdBefore, pageSize, pageToken: progress.pageToken }, signal());
        if (page.missingShards.length > 0) {
          // Their orphans wait for a later sweep.
          context.log.warn('orphan sweep: shards did not answer', { missingShards: page.missingShards.map(({ shard, reason }) => ({ shard, reason })) });
        }
        for (const candidate of page.orders) {
          progress.candidates++;
          if (candidate.paymentToken === '') {
            if (await hasSaga(candidate.orderId)) progress.alreadyStarted++;
            else if (progress.untokened.length < maxUntokenedPerSweep) progress.untokened.push(candidate.orderId);
          } else if (await start(candidate)) {
            progress.started++;
            orphans.inc({ outcome: 'started' });
            context.log.info('orphan order: saga started', { orderId: candidate.orderId, createdAt: timestampDate(candidate.createdAt!).toISOString() });
          } else {
            progress.alreadyStarted++;
          }
        }
        progress.pageToken = page.nextPageToken;
        context.heartbeat(progress);
      } while (progress.pageToken !== '');
      const { pageToken: _pageToken, createdBeforeMs: _createdBeforeMs, ...found } = progress;
      context.log.info('orphan sweep done', { ...found, untokened: found.untokened.length });
      return found;
    },

    /**
     * Cancels an orphan placed without a payment token: PENDING ->
     * CANCELLING -> CANCELLED, with a reason for the customer. Safe to retry:
     * each move's key names the order, and a retry starts from where the
     * order is. False when the order has moved on meanwhile (a saga has it).
     */
    async cancelOrphanOrder(orderId: string): Promise<boolean> {
      const move = async (from: StatusName, to: StatusName) => {
        const request = { orderId, expectedStatus: OrderStatus[from], newStatus: OrderStatus[to], reason: orphanCancelReason };
        const { order: moved } = await order.updateOrderStatus({ ...request, idempotencyKey: key(`orphan-${orderId}-${to}`) }, signal());
        return moved!.status;
      };
      let now = (await status.getOrder(orderId)).status;
      if (now === OrderStatus.PENDING) now = await move('PENDING', 'CANCELLING');
      if (now === OrderStatus.CANCELLING) {
        now = await move('CANCELLING', 'CANCELLED');
        orphans.inc({ outcome: 'cancelled' });
        Context.current().log.info('orphan order without a payment token: cancelled', { orderId });
      }
      return now === OrderStatus.CANCELLED;
    },
  };
}

export type OrphanActivities = ReturnType<typeof orphanActivities>;
