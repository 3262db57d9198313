/**
 * Prebuilds the workflow bundle (dist/workflow-bundle.js) that production
 * workers load with WORKFLOW_BUNDLE_PATH, instead of bundling at start.
 * It holds the OpenTelemetry workflow interceptors, as the worker's plugin
 * adds them to a bundle made at start (src/main.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';

const { code } = await bundleWorkflowCode({
  workflowsPath: fileURLToPath(new URL('../src/workflows/index.ts', import.meta.url)),
  workflowInterceptorModules: [createRequire(import.meta.url).resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')],
});
mkdirSync(new URL('../dist', import.meta.url), { recursive: true });
writeFileSync(new URL('../dist/workflow-bundle.js', import.meta.url), code);
console.log(`dist/workflow-bundle.js: ${(code.length / 1024).toFixed(0)} KiB`);
