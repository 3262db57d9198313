/**
 * Keeps the Temporal SDK quiet in test output (errors only: the tests fail activities on purpose).
 * Runtime.install must run before any Worker or Connection exists, so it
 * lives in a vitest setup file.
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';

Runtime.install({ logger: new DefaultLogger('ERROR') });
