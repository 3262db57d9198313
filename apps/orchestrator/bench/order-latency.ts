/**
 * How long one order takes end to end on the dev server: creation, then the
 * whole saga (validate, reserve, charge, commit, ship with the carrier's
 * confirmation, complete), one order at a time. Prints median and p90.
 *   cd apps/orchestrator && npx tsx bench/order-latency.ts [orders=20] [carrierConfirmMs=0]
 */
import { randomUUID } from 'node:crypto';
import { createCustomer, startStack } from '@oms/testing';

const count = Number(process.argv[2] ?? 20);
const confirmMs = Number(process.argv[3] ?? 0);
console.log(`starting the stack (carrier confirms after ${confirmMs} ms)...`);
const stack = await startStack({ shippingConfirmMs: confirmMs });
try {
  const customerId = await createCustomer(stack);
  await stack.inventory.createProduct({
    sku: 'BENCH-1',
    name: 'Bench item',
    unitPrice: { amountMinor: 999n, currency: 'EUR' },
    initialStock: count + 1,
    idempotencyKey: randomUUID(),
  });
  await stack.placeOrder(customerId, [{ sku: 'BENCH-1', quantity: 1 }], 'tok_success'); // warm-up, not counted
  const times: number[] = [];
  for (let i = 1; i <= count; i++) {
    const started = performance.now();
    const { outcome } = await stack.placeOrder(customerId, [{ sku: 'BENCH-1', quantity: 1 }], 'tok_success');
    if (outcome.status !== 'COMPLETED') throw new Error(`order ${i} ended ${outcome.status}`);
    times.push(performance.now() - started);
    process.stdout.write(`\r  order ${i}/${count}: ${times.at(-1)!.toFixed(0)} ms   `);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(0);
  console.log(
    `\n\n| orders | median ms | p90 ms | min ms | max ms |\n| --- | --- | --- | --- | --- |\n| ${count} | ${at(0.5)} | ${at(0.9)} | ${times[0]!.toFixed(0)} | ${times.at(-1)!.toFixed(0)} |`,
  );
} finally {
  await stack.stop();
}
