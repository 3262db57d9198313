import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The launcher and chaos tests each run a whole system: one at a time on a 2-core machine.
  test: { root: import.meta.dirname, testTimeout: 300_000, hookTimeout: 60_000, fileParallelism: false },
});
