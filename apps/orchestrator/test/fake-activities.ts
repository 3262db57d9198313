/**
 * Activities for workflow tests: every call is logged in order, and a test
 * overrides the ones it is about (mocking only what the test is not about).
 */
import { Context } from '@temporalio/activity';
import type { Activities, OrderSnapshot } from '../src/activities';

export type Calls = string[];

/** What validateOrder answers with (the v1 steps only read createdAtMs). */
export const snapshot: OrderSnapshot = {
  orderId: '1',
  customerId: '7',
  createdAtMs: Date.now(),
  lines: [{ sku: 'SKU-1', quantity: 2 }],
  total: { amountMinor: '2598', currency: 'EUR' },
  shipTo: { name: 'Ada', line1: '1 Loop Rd', line2: '', city: 'Berlin', postalCode: '10115', country: 'DE' },
};

export function fakeActivities(calls: Calls, overrides: Partial<Activities> = {}): Activities {
  const record =
    <A extends unknown[], R>(name: string, result: R) =>
    async (...args: A): Promise<R> => {
      calls.push(args.length > 1 ? `${name}(${args.slice(1).join(',')})` : name);
      return result;
    };
  const defaults: Activities = {
    validateOrder: record('validateOrder', snapshot),
    reserve: record('reserve', undefined),
    stockShortfall: record('stockShortfall', []),
    askCustomer: record('askCustomer', undefined),
    amendOrder: record('amendOrder', { lines: snapshot.lines, total: snapshot.total }),
    charge: record('charge', { paymentId: '1' }),
    commit: record('commit', undefined),
    ship: record('ship', { trackingNumber: 'SIM-TRACK' }),
    completeOrder: record('completeOrder', undefined),
    checkFraud: record('checkFraud', undefined),
    setOrderStatus: record('setOrderStatus', undefined),
    reserveStock: record('reserveStock', undefined),
    chargePayment: record('chargePayment', { paymentId: '1' }),
    commitStock: record('commitStock', undefined),
    arrangeShipping: record('arrangeShipping', { trackingNumber: 'SIM-TRACK' }),
    releaseReservation: record('releaseReservation', undefined),
    refundPayment: record('refundPayment', undefined),
    cancelShipment: record('cancelShipment', undefined),
    markCancelling: record('markCancelling', undefined),
    markCancelled: record('markCancelled', undefined),
    markDelivered: record('markDelivered', undefined),
  };
  const wrapped = Object.fromEntries(
    Object.entries(overrides).map(([name, fn]) => [
      name,
      async (...args: unknown[]) => {
        calls.push(args.length > 1 ? `${name}(${args.slice(1).join(',')})` : name);
        return (fn as (...a: unknown[]) => unknown)(...args);
      },
    ]),
  );
  return { ...defaults, ...wrapped } as Activities;
}

/**
 * Parks a fake activity until the test opens the gate. `entered` resolves
 * once the activity is waiting; `ended` tells how the wait ended. The wait
 * heartbeats, so a cancellation request reaches the activity, and it ends
 * with the CancelledFailure when cancelled (as a real activity should);
 * with `hearsCancellation: false` it is like a service call in flight, which
 * never heartbeats and ends only when the gate opens.
 */
export class Gate {
  private release = () => {};
  private arrive = () => {};
  private readonly opened = new Promise<void>((resolve) => (this.release = resolve));
  readonly entered = new Promise<void>((resolve) => (this.arrive = resolve));
  private finish: (how: 'opened' | 'cancelled') => void = () => {};
  readonly ended = new Promise<'opened' | 'cancelled'>((resolve) => (this.finish = resolve));

  constructor(private readonly options: { hearsCancellation?: boolean } = {}) {}

  open(): void {
    this.release();
  }

  async wait(): Promise<void> {
    const ctx = Context.current();
    this.arrive();
    if (this.options.hearsCancellation === false) {
      await this.opened;
      return this.finish('opened');
    }
    const beat = setInterval(() => ctx.heartbeat(), 20);
    try {
      await Promise.race([this.opened, ctx.cancelled]);
      this.finish('opened');
    } catch (error) {
      this.finish('cancelled');
      throw error;
    } finally {
      clearInterval(beat);
    }
  }
}
