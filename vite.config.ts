import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import type { Plugin } from 'vite';
import { compression } from 'vite-plugin-compression2';
import { VitePWA } from 'vite-plugin-pwa';
import { defineConfig } from 'vitest/config';

const THEME_COLOR = '#0b5f6e';
const BACKGROUND_COLOR = '#f3f7f8';

/**
 * The classifier worker's `@tensorflow/tfjs-core` is worker/classifier/tfjs-core.ts: the core
 * without the training optimizers, as TF.js custom bundles do. Only the bare name: deep imports
 * (`@tensorflow/tfjs-core/dist/…`) resolve as usual.
 */
function leanTfjsCore(): Plugin {
  const core = fileURLToPath(new URL('worker/classifier/tfjs-core.ts', import.meta.url));
  return {
    name: 'fishlens:lean-tfjs-core',
    enforce: 'pre',
    resolveId: (source) => (source === '@tensorflow/tfjs-core' ? core : null),
  };
}

/**
 * Makes tfjs-backend-wasm's threaded WASM factory self-contained, so the worker can be minified.
 * TF.js starts each WASM thread from the factory's source text: `mainScriptUrlOrBlob = new
 * Blob(['var WasmBackendModuleThreadedSimd = ' + wasmFactoryThreadedSimd.toString()])`
 * (tfjs-backend-wasm/src/backend_wasm.ts, `init`). Emscripten's MODULARIZE wrapper declares
 * `_scriptDir` outside that function (wasm-out/tfjs-backend-wasm-threaded-simd.js), and TF.js made
 * its use inside safe for the Blob with `typeof _scriptDir !== "undefined"` (tensorflow/tfjs#4528).
 * A minifier rightly sees the outer declaration, renames it and folds the guard to `e!==void 0`:
 * correct where the function was written, a ReferenceError ("e is not defined") in the thread's
 * Blob, where that scope does not exist (tensorflow/tfjs#4539). Declared inside the factory, the
 * name travels with the source text. The value is the same: in a worker there is no
 * document.currentScript, so it was `undefined` either way. Lines are kept, so source maps hold.
 */
function selfContainedWasmThreadFactory(): Plugin {
  const outer =
    "\n  var _scriptDir = typeof document !== 'undefined' && document.currentScript ? document.currentScript.src : undefined;\n  if (typeof __filename !== 'undefined') _scriptDir = _scriptDir || __filename;\n";
  const factory = 'function(WasmBackendModuleThreadedSimd) {\n';
  return {
    name: 'fishlens:self-contained-wasm-thread-factory',
    transform(code, id) {
      if (!/tfjs-backend-wasm-threaded-simd\.js$/.test(id)) return null;
      if (!code.includes(outer) || !code.includes(factory)) {
        this.error(
          `${id}: Emscripten's wrapper is not as expected; check that the WASM thread factory is self-contained before building a minified worker`,
        );
      }
      const inner = outer.trim().replace(/\n\s*/g, ' ');
      return {
        code: code.replace(outer, '\n\n\n').replace(factory, `${factory.trimEnd()} ${inner}\n`),
        map: null,
      };
    },
  };
}

export default defineConfig({
  build: {
    outDir: 'dist/client',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
  plugins: [
    preact(),
    // Brotli and gzip copies of every text file and the WASM binaries, written once at build time;
    // the server sends the one the browser accepts (serveStatic's `precompressed`). On a first visit
    // over a slow network this is most of the wait: the app shell is a third of its size, the
    // classifier's WASM a fifth.
    compression({
      algorithms: ['brotliCompress', 'gzip'],
      include: /\.(js|mjs|css|html|svg|json|webmanifest|wasm)$/,
      threshold: 1024,
    }),
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
  // The classifier worker: ES modules, so each TF.js backend and model format is a chunk loaded
  // only when used; minified like the app.
  worker: {
    format: 'es',
    plugins: () => [leanTfjsCore(), selfContainedWasmThreadFactory()],
  },
  server: {
    proxy: { '/api': 'http://localhost:8080' },
  },
  test: {
    globalSetup: ['tests/support/run-scratch.ts'],
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
