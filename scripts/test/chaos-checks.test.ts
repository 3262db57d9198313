/**
 * The chaos checks over order shards: an order counts wherever it is, but
 * only once; a copy on a second shard fails "placed exactly once".
 */
import { describe, expect, it } from 'vitest';
import { runChecks, type Ledgers, type PlacedOrder } from '../chaos/checks';

const placed: PlacedOrder = {
  index: 0,
  customer: 0,
  kind: 'declined',
  paymentToken: 'tok_declined',
  lines: [],
  expected: { status: 'CANCELLED', reason: 'payment declined' },
  orderId: '4611686018427388929',
};
const orderOn = (shard: string) => ({ id: placed.orderId, status: 'CANCELLED', total_minor: '0', notes: 'payment declined: card', shard });
const ledgers = (orders: Ledgers['orders']): Ledgers => ({
  orders,
  items: [],
  payments: [],
  refunds: [],
  charges: [],
  providerRefunds: [],
  products: [],
  reservations: [],
  shipments: [],
});
const placedOnce = (l: Ledgers) => runChecks([placed], [], [], l).find((c) => c.name === 'every order placed exactly once')!.failures;

describe('chaos checks across order shards', () => {
  it('finds an order on whichever shard holds it', () => {
    const checks = runChecks([placed], [], [], ledgers([orderOn('1')]));
    expect(checks.flatMap((c) => c.failures)).toEqual([]);
  });

  it('fails an order found on two shards, naming them', () => {
    expect(placedOnce(ledgers([orderOn('0'), orderOn('1')]))).toEqual([`order ${placed.orderId} is on 2 order shards (0, 1): it must be on one`]);
  });

  it('fails an order on no shard, and one the driver never placed', () => {
    expect(placedOnce(ledgers([{ ...orderOn('1'), id: '42' }]))).toEqual([
      `order ${placed.orderId} (declined, tok_declined) is on no order shard`,
      'order 42 on order shard 1 was never placed by the driver (a duplicate?)',
    ]);
  });
});
