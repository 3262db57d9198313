/** `npm run setup` (and `npm test`'s first step): idempotent; seconds when there is nothing to do. */
import { fail, generateCode, log } from './bootstrap';

try {
  await generateCode();
  // Loaded once the code is generated: the dev stack imports the contracts.
  const { ensureDeployChecks, ensurePromtool, prepare } = await import('@oms/devstack');
  await prepare(log);
  // Only the tests need promtool (deploy/prometheus's checks), so only the set-up builds it, not `npm start`.
  await ensurePromtool(log);
  // Likewise helm and kube-strict, for the chart checks.
  await ensureDeployChecks(log);
} catch (error) {
  fail(error);
}
