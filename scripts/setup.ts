/** `npm run setup` (and `npm test`'s first step): idempotent; seconds when there is nothing to do. */
import { fail, generateCode } from './bootstrap';

try {
  await generateCode();
  const { prepare } = await import('./prepare');
  await prepare();
} catch (error) {
  fail(error);
}
