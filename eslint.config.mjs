import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const apps = ['order-service', 'payment-service', 'inventory-service', 'shipping-service', 'orchestrator', 'gateway'];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/src/gen/**', '**/src/generated/**', '**/*.queries.ts', '.nx/**', '.tools/**', '.data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // House rule: an app never imports another app, and a lib never imports an app.
    // Apps talk over gRPC or Temporal; shared code lives in libs/.
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: apps.map((app) => `@oms/${app}`), message: 'An app never imports another app: call it over gRPC, or move shared code to libs/.' },
            { regex: `(^|/)(apps/|\\.\\./(${apps.join('|')})/)`, message: 'An app never imports another app: call it over gRPC, or move shared code to libs/.' },
          ],
        },
      ],
    },
  },
);
