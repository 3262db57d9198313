/**
 * `npm run chaos [-- --orders 300 --kill-rounds 2 --seed 1 --rate 3 --concurrency 8 --place-timeout 120 --settle-timeout 600]` (seconds):
 * a chaos run (see chaos.ts), progress on stderr, the report on stdout;
 * exits 1 when a check fails.
 */
import { parseArgs } from 'node:util';
import { runChaos } from './chaos';
import { formatReport } from './report';

const { values } = parseArgs({
  options: {
    orders: { type: 'string', default: '300' },
    'kill-rounds': { type: 'string' },
    seed: { type: 'string', default: '1' },
    rate: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '8' },
    'place-timeout': { type: 'string', default: '120' },
    'settle-timeout': { type: 'string', default: '600' },
  },
});
const orders = Number(values.orders);
const started = Date.now();
const result = await runChaos({
  orders,
  // About one round of kills per 150 orders.
  killRounds: Number(values['kill-rounds'] ?? Math.max(1, Math.round(orders / 150))),
  seed: Number(values.seed),
  ratePerSecond: Number(values.rate),
  concurrency: Number(values.concurrency),
  placeTimeoutMs: Number(values['place-timeout']) * 1000,
  settleTimeoutMs: Number(values['settle-timeout']) * 1000,
  log: (line) => console.error(`[chaos ${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`),
});
console.log(`\n${formatReport(result)}`);
process.exit(result.checks.every((c) => !c.failures.length) ? 0 : 1);
