import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const apps = ['order-service', 'payment-service', 'inventory-service', 'shipping-service', 'orchestrator', 'gateway'];

const appMessage = 'An app never imports another app: call it over gRPC, or move shared code to libs/.';
const appBoundary = [
  { group: apps.map((app) => `@oms/${app}`), message: appMessage },
  { regex: `(^|/)(apps/|\\.\\./(${apps.join('|')})/)`, message: appMessage },
];
const runtimeOnly = {
  group: ['@oms/devstack', '@oms/testing', '@oms/db/migrations'],
  message: 'Running code loads only runtime libs: the dev stack, the test harness and the migration tooling are for set-up, tests and scripts.',
};

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/src/gen/**', '**/src/generated/**', '**/*.queries.ts', '.nx/**', '.tools/**', '.data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // Import boundaries. A later block replaces the rule for the files it
  // matches, so each one repeats the patterns of the blocks before it.
  {
    // House rule: an app never imports another app, and a lib never imports an app;
    // scripts (set-up, launcher, demo, chaos, benchmarks) use libs, never app internals.
    files: ['apps/**/*.ts', 'libs/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: appBoundary }] },
  },
  {
    // What runs in production (an app's src/, the runtime libs) loads no dev stack, test or migration tooling.
    files: ['apps/*/src/**/*.ts', 'libs/platform/src/**/*.ts', 'libs/contracts/src/**/*.ts', 'libs/db/src/**/*.ts'],
    ignores: ['libs/db/src/migrations/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [...appBoundary, runtimeOnly] }] },
  },
  {
    // libs/db's runtime never reaches into its own migration tooling (src/migrations/).
    files: ['libs/db/src/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [...appBoundary, runtimeOnly, { regex: '^\\./migrations(/|$)', message: runtimeOnly.message }] }] },
  },
);
