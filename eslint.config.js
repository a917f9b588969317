// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const TF = ['@tensorflow/*', '@tensorflow/**'];

/** `no-restricted-imports` patterns that keep the boundaries of ARCHITECTURE.md true. */
const only = (what, where) => ({ group: what, message: `Only ${where} may import this.` });

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      '.data/**',
      '.cache/**',
      'coverage/**',
      'test-results/**',
      'playwright-report/**',
      'models/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { attributes: false } },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  // The browser app: TF.js only in src/model, idb only in src/storage, never server code.
  {
    files: ['src/**/*.{ts,tsx}'],
    languageOptions: { globals: globals.browser },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            only(TF, 'src/model/'),
            only(['idb'], 'src/storage/'),
            {
              group: ['**/server/**', 'pg', 'hono', 'hono/*', 'node:*'],
              message: 'The browser app cannot import server code.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/model/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            only(['idb'], 'src/storage/'),
            {
              group: ['**/server/**', '**/ui/**'],
              message: 'The model layer has no UI and no server code.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/storage/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            only(TF, 'src/model/'),
            {
              group: ['**/server/**', '**/ui/**'],
              message: 'Storage has no UI and no server code.',
            },
          ],
        },
      ],
    },
  },
  // UI components receive data and callbacks: no I/O, no models, no storage of their own.
  {
    files: ['src/ui/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            only(TF, 'src/model/'),
            only(['idb'], 'src/storage/'),
            {
              group: [
                '**/model',
                '**/model/**',
                '**/storage',
                '**/storage/**',
                '**/sync',
                '**/sync/**',
                '**/registry',
                '**/registry/**',
                '**/server/**',
              ],
              message:
                'UI components get data and callbacks from their screen; they do no I/O of their own.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'fetch', message: 'UI components do no I/O: take a callback from the screen.' },
        { name: 'indexedDB', message: 'UI components do no I/O: take a callback from the screen.' },
        { name: 'XMLHttpRequest', message: 'UI components do no I/O.' },
      ],
    },
  },
  // Workers: the service worker and web workers; they may use src/model and src/storage.
  {
    files: ['worker/**/*.ts'],
    languageOptions: { globals: globals.serviceworker },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            only(['idb'], 'src/storage/'),
            {
              group: ['**/ui/**', '**/server/**', 'preact', 'preact/*'],
              message: 'Workers have no UI and no server code.',
            },
          ],
        },
      ],
    },
  },
  // Code both runtimes import stays free of either runtime.
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', '**/server/**', '**/src/**', 'preact', 'idb', 'pg', 'hono'],
              message: 'shared/ is imported by the browser and Node alike.',
            },
            only(TF, 'src/model/ and training/'),
          ],
        },
      ],
    },
  },
  // The server never imports the browser UI.
  {
    files: ['server/**/*.ts'],
    languageOptions: { globals: globals.node },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/src/**', 'preact', 'preact/*', 'idb'],
              message: 'The server never imports the browser app.',
            },
            {
              group: ['**/training/**'],
              message: 'The server never runs training code: training/ is a separate program.',
            },
          ],
        },
      ],
    },
  },
  // Training is a separate Node program: shared/ and TF.js, never the server or the app.
  {
    files: ['training/**/*.ts'],
    languageOptions: { globals: globals.node },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/server/**',
                '**/src/**',
                '**/worker/**',
                'preact',
                'preact/*',
                'idb',
                'pg',
                'hono',
                'hono/*',
              ],
              message: 'Training is its own program: it imports shared/ and TF.js only.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['tests/**/*.ts', '*.ts', '*.js'],
    languageOptions: { globals: globals.node },
  },
);
