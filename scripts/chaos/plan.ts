/**
 * What a chaos run will do, decided up front from a seed (so a failing run
 * can be repeated): the products, the orders with the outcome each one's
 * payment token and stock imply, and the faults with when each one fires.
 */

export const apps = ['order-service', 'payment-service', 'inventory-service', 'shipping-service', 'orchestrator', 'gateway'] as const;
export type App = (typeof apps)[number];

export type Kind = 'success' | 'flaky' | 'slow' | 'declined' | 'out of stock';

export interface Line {
  sku: string;
  quantity: number;
}

export interface PlannedOrder {
  index: number;
  /** Which seeded customer places it. */
  customer: number;
  kind: Kind;
  paymentToken: string;
  lines: Line[];
  /** What the order must end as; a cancelled one with exactly this reason (a prefix of it). */
  expected: { status: 'COMPLETED' } | { status: 'CANCELLED'; reason: string };
}

export interface Product {
  sku: string;
  priceMinor: number;
  stock: number;
}

/** `afterOrder`: fires once that many orders are placed. */
export type Fault = { kind: 'kill'; app: App; afterOrder: number } | { kind: 'postgres restart'; afterOrder: number };

export interface Plan {
  customers: number;
  products: Product[];
  orders: PlannedOrder[];
  faults: Fault[];
}

/** Share of each kind; what is left over is plain successes. */
const mix: [Kind, number][] = [
  ['flaky', 0.25],
  ['slow', 0.1],
  ['declined', 0.15],
  ['out of stock', 0.12],
];

const maxQuantity = 3;

/** mulberry32: a small seeded PRNG, so a seed always gives the same run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: T[], rand: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

export function makePlan(options: { orders: number; killRounds: number; seed: number }): Plan {
  const { orders: count, killRounds, seed } = options;
  const rand = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;

  // Plenty of every regular product (no order can run short of it), and one
  // scarce product that every out-of-stock order asks for more of than exists.
  const products: Product[] = [1299, 499, 2500, 750, 99].map((priceMinor, i) => ({ sku: `CHAOS-${i + 1}`, priceMinor, stock: count * maxQuantity }));
  const scarce: Product = { sku: 'CHAOS-SCARCE', priceMinor: 4900, stock: 2 };
  const regular = products.map((p) => p.sku);

  // Exact counts per kind (a small run still has every kind), in seeded order.
  const kinds: Kind[] = mix.flatMap(([kind, share]) => Array<Kind>(Math.max(1, Math.round(share * count))).fill(kind));
  kinds.push(...Array<Kind>(Math.max(0, count - kinds.length)).fill('success'));
  shuffle(kinds, rand).length = count;

  const customers = Math.max(1, Math.min(10, Math.ceil(count / 20)));
  const orders = kinds.map((kind, index): PlannedOrder => {
    const lines = shuffle([...regular], rand)
      .slice(0, 1 + Math.floor(rand() * 2))
      .map((sku) => ({ sku, quantity: 1 + Math.floor(rand() * maxQuantity) }));
    if (kind === 'out of stock') lines.push({ sku: scarce.sku, quantity: scarce.stock + 1 });
    // Stock is reserved before the card is charged: an out-of-stock order never reaches its token.
    const paymentToken = {
      success: 'tok_success',
      flaky: `tok_flaky_${1 + Math.floor(rand() * 4)}`,
      slow: 'tok_slow',
      declined: 'tok_declined',
      'out of stock': pick(['tok_success', 'tok_declined', 'tok_flaky_2']),
    }[kind];
    const expected =
      kind === 'out of stock'
        ? ({ status: 'CANCELLED', reason: 'out of stock; no answer from the customer' } as const)
        : kind === 'declined'
          ? ({ status: 'CANCELLED', reason: 'payment declined' } as const)
          : ({ status: 'COMPLETED' } as const);
    return { index, customer: index % customers, kind, paymentToken, lines, expected };
  });

  // Round one kills the orchestrator first: activities that were running in it
  // wait out their timeout (a minute) before a retry, a wait best overlapping
  // the run. The gateway last: while it is down no order comes in at all.
  const rounds: App[][] = [['orchestrator', 'payment-service', 'inventory-service', 'order-service', 'shipping-service', 'gateway']];
  for (let r = 1; r < killRounds; r++) rounds.push(shuffle([...apps], rand));
  const sequence: (App | 'postgres restart')[] = rounds.flat();
  sequence.splice(Math.min(3, sequence.length), 0, 'postgres restart');
  const faults = sequence.map((what, i): Fault => {
    // From 5% to 80% of the orders: every fault meets orders in flight, and orders follow the last.
    const afterOrder = Math.max(1, Math.round(count * (0.05 + (0.75 * i) / (sequence.length - 1))));
    return what === 'postgres restart' ? { kind: 'postgres restart', afterOrder } : { kind: 'kill', app: what, afterOrder };
  });

  return { customers, products: [...products, scarce], orders, faults };
}
