import { describe, expect, it } from 'vitest';
import { OrderStatus } from '../src/gen/oms/order/v1/order_pb';
import { canCancel, canMove, sagaMoves, statuses, statusName, transitions, type StatusName } from '../src/order-lifecycle';

const wireNames = Object.keys(OrderStatus).filter((k) => Number.isNaN(Number(k)) && k !== 'UNSPECIFIED');

describe('statuses', () => {
  it('are the generated enum’s, in its order', () => {
    expect(statuses).toEqual(wireNames);
    statuses.forEach((name, i) => expect(OrderStatus[name], name).toBe(i + 1));
  });

  it('are named from their wire numbers; UNSPECIFIED and unknown numbers have no name', () => {
    for (const name of statuses) expect(statusName(OrderStatus[name])).toBe(name);
    expect(statusName(OrderStatus.UNSPECIFIED)).toBeUndefined();
    expect(statusName(42 as OrderStatus)).toBeUndefined();
    expect(statusName(-1 as OrderStatus)).toBeUndefined();
  });
});

describe('transitions', () => {
  it('lead forward from PENDING to DELIVERED', () => {
    const path: StatusName[] = ['PENDING', 'VALIDATED', 'RESERVED', 'PAID', 'SHIPPING', 'COMPLETED', 'DELIVERED'];
    path.slice(1).forEach((to, i) => expect(canMove(path[i]!, to), `${path[i]} > ${to}`).toBe(true));
  });

  it('cancel any order not yet completed, through CANCELLING', () => {
    const cancellable = statuses.filter((s) => canMove(s, 'CANCELLING'));
    expect(cancellable).toEqual(['PENDING', 'VALIDATED', 'RESERVED', 'PAID', 'SHIPPING', 'AWAITING_CUSTOMER']);
    expect(canMove('CANCELLING', 'CANCELLED')).toBe(true);
    expect(statuses.filter((s) => canMove(s, 'CANCELLED'))).toEqual(['CANCELLING']);
  });

  it('wait for the customer only when stock is short (from VALIDATED), and go on when they amend the order', () => {
    expect(statuses.filter((s) => canMove(s, 'AWAITING_CUSTOMER'))).toEqual(['VALIDATED']);
    expect(transitions.AWAITING_CUSTOMER).toEqual(['VALIDATED', 'CANCELLING']);
  });

  it('never leave DELIVERED or CANCELLED, and never skip a status or go back', () => {
    expect(transitions.DELIVERED).toEqual([]);
    expect(transitions.CANCELLED).toEqual([]);
    expect(canMove('PENDING', 'RESERVED')).toBe(false);
    expect(canMove('PAID', 'RESERVED')).toBe(false);
    expect(canMove('COMPLETED', 'CANCELLING')).toBe(false);
    for (const s of statuses) expect(canMove(s, s), s).toBe(false);
  });
});

describe('the saga’s moves', () => {
  it('take an order from PENDING to COMPLETED, one allowed move after another', () => {
    let at: StatusName = 'PENDING';
    for (const [step, { from, to }] of Object.entries(sagaMoves)) {
      expect(from, step).toBe(at);
      expect(canMove(from, to), step).toBe(true);
      at = to;
    }
    expect(at).toBe('COMPLETED');
  });
});

describe('canCancel', () => {
  it('allows a cancel until shipping is arranged', () => {
    expect(canCancel({ stepsDone: [] })).toBe(true);
    expect(canCancel({ stepsDone: ['validate', 'reserve stock', 'charge payment', 'commit stock'] })).toBe(true);
    expect(canCancel({ stepsDone: ['validate', 'reserve stock', 'charge payment', 'commit stock', 'arrange shipping'] })).toBe(false);
  });

  it('refuses once the saga has an outcome', () => {
    expect(canCancel({ stepsDone: ['validate'], outcome: { orderId: '1', status: 'CANCELLED', reason: 'payment declined' } })).toBe(false);
  });
});
