// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const TF = ['@tensorflow/*', '@tensorflow/**'];

/** `no-restricted-imports` patterns that keep the boundaries of ARCHITECTURE.md true. */
const only = (what, where) => ({ group: what, message: `Only ${where} may import this.` });

const ONLY_STORAGE_USES_IDB = only(['idb'], 'src/storage/');
const ONLY_SYNC_CALLS_INGEST = only(['**/sync/api', '**/sync/api.*'], 'src/sync/');
/** What every part of the browser app keeps to. */
const APP_BOUNDARIES = [
  only(TF, 'the classifier worker (worker/classifier/)'),
  ONLY_STORAGE_USES_IDB,
  ONLY_SYNC_CALLS_INGEST,
  {
    group: ['**/server/**', '**/training/**', 'pg', 'hono', 'hono/*', 'node:*'],
    message: 'The browser app cannot import server or training code.',
  },
  {
    regex: '/worker/(?!classifier/protocol(\\.js)?$)',
    message: 'The app talks to its workers only through their message types (protocol.ts).',
  },
];
/** What the workers keep to. */
const WORKER_PATTERNS = [
  ONLY_STORAGE_USES_IDB,
  {
    group: ['**/ui/**', '**/server/**', '**/training/**', 'preact', 'preact/*'],
    message: 'Workers have no UI and no server code.',
  },
];
/**
 * The classifier worker is a TF.js custom bundle (tfjs-core, one backend's `dist/base` and the
 * kernels listed in worker/classifier/kernels/): these entry points register every kernel and
 * would bring back the whole library (~500 kB gzip) that every cold start parses.
 */
const WHOLE_TFJS = [
  '@tensorflow/tfjs',
  '@tensorflow/tfjs-backend-cpu',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-backend-webgl',
  '@tensorflow/tfjs-backend-webgpu',
].map((name) => ({
  name,
  message:
    "The classifier worker imports @tensorflow/tfjs-core, a backend's dist/base and the kernels in worker/classifier/kernels/, not every kernel.",
}));
/** The ingest API's URLs: only src/sync builds requests to them. */
const INGEST_URLS = ['Literal', 'TemplateElement'].map((node) => ({
  selector: `${node}[value${node === 'TemplateElement' ? '.raw' : ''}=/\\/api\\/v1\\/(predictions|devices)/]`,
  message: 'Only src/sync/ calls the ingest API.',
}));

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
  // The browser app: TF.js only in the classifier worker, idb only in src/storage, never server
  // code; only src/sync talks to the ingest API.
  {
    files: ['src/**/*.{ts,tsx}'],
    languageOptions: { globals: globals.browser },
    rules: {
      'no-restricted-imports': ['error', { patterns: [...APP_BOUNDARIES] }],
      'no-restricted-syntax': ['error', ...INGEST_URLS],
    },
  },
  {
    files: ['src/sync/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-syntax': 'off',
      'no-restricted-imports': [
        'error',
        { patterns: APP_BOUNDARIES.filter((p) => p !== ONLY_SYNC_CALLS_INGEST) },
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
            ...APP_BOUNDARIES.filter((p) => p !== ONLY_STORAGE_USES_IDB),
            { group: ['**/ui/**', '**/screens/**'], message: 'Storage has no UI.' },
          ],
        },
      ],
    },
  },
  // Screens render and dispatch: state comes from hooks and stores, never straight from storage.
  {
    files: ['src/screens/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...APP_BOUNDARIES,
            {
              group: ['**/storage', '**/storage/**', 'idb'],
              message:
                'Screens never open storage: use a hook (src/hooks/) or a store action instead.',
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
            ...APP_BOUNDARIES,
            {
              group: [
                '**/classifier',
                '**/classifier/**',
                '**/storage',
                '**/storage/**',
                '**/sync',
                '**/sync/**',
                '**/registry',
                '**/registry/**',
                '**/hooks/**',
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
  // Workers: the classifier worker (the only TF.js user in the browser) and the service worker.
  {
    files: ['worker/**/*.ts'],
    languageOptions: { globals: globals.serviceworker },
    rules: {
      'no-restricted-imports': ['error', { paths: WHOLE_TFJS, patterns: WORKER_PATTERNS }],
    },
  },
  // Tests of the worker's code compare it with all of TF.js in Node.
  {
    files: ['worker/**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: WORKER_PATTERNS }] },
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
            only(TF, 'the classifier worker and training/'),
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
