/** `npm run setup` (and `npm test`'s first step): idempotent; seconds when there is nothing to do. */
import { fail, generateCode, log } from './bootstrap';

try {
  await generateCode();
  // Loaded once the code is generated: the dev stack imports the contracts.
  const { prepare } = await import('@oms/devstack');
  await prepare(log);
} catch (error) {
  fail(error);
}
