import preact from '@preact/preset-vite';
import { VitePWA } from 'vite-plugin-pwa';
import { defineConfig } from 'vitest/config';

const THEME_COLOR = '#0b5f6e';
const BACKGROUND_COLOR = '#f3f7f8';

export default defineConfig({
  build: {
    outDir: 'dist/client',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
  plugins: [
    preact(),
    VitePWA({
      // Our own service worker (worker/sw.ts); the plugin injects the precache manifest into it.
      strategies: 'injectManifest',
      srcDir: 'worker',
      filename: 'sw.ts',
      // Registration happens in src/sw-register.ts through workbox-window, with an update prompt.
      injectRegister: false,
      registerType: 'prompt',
      injectManifest: {
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest,wasm}'],
        // The TF.js WASM binaries are a few MB; they are part of what must work offline.
        maximumFileSizeToCacheInBytes: 16 * 1024 * 1024,
        rollupFormat: 'es',
      },
      manifest: {
        id: '/',
        name: 'Fishlens — fish species from a photo',
        short_name: 'Fishlens',
        description:
          'Identify fish species from a photo, on your phone, without a network. For anglers, fisheries inspectors, fish-pass operators and students.',
        lang: 'en',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        orientation: 'portrait',
        theme_color: THEME_COLOR,
        background_color: BACKGROUND_COLOR,
        categories: ['education', 'utilities'],
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          {
            src: '/icons/icon-maskable-192.png',
            sizes: '192x192',
            type: 'image/png',
            purpose: 'maskable',
          },
          {
            src: '/icons/icon-maskable-512.png',
            sizes: '512x512',
            type: 'image/png',
            purpose: 'maskable',
          },
        ],
      },
    }),
  ],
  // The classifier worker stays unminified: TF.js WASM starts its threads from
  // `wasmFactoryThreadedSimd.toString()` in a Blob, and minified outer names (`_scriptDir` → `e`)
  // are undefined there ("ReferenceError: e is not defined", tensorflow/tfjs#7020-style bundler bug).
  worker: { rolldownOptions: { output: { minify: false } } },
  server: {
    proxy: { '/api': 'http://localhost:8080' },
  },
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.{ts,tsx}', 'shared/**/*.test.ts', 'worker/**/*.test.ts'],
          environment: 'node',
        },
      },
      // The training CLI is its own program: no PostgreSQL, but model-sized work per test.
      {
        test: {
          name: 'training',
          include: ['training/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'server',
          include: ['server/**/*.test.ts', 'tests/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/support/vitest-postgres.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        // Real servers in child processes, killed and cut off while phones sync: `npm run test:faults`.
        test: {
          name: 'faults',
          include: ['tests/faults/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/support/vitest-postgres.ts'],
          testTimeout: 300_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
