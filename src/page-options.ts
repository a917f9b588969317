/**
 * Page flags for tests, the bench and troubleshooting: `?model=` picks the pack (installed through
 * the normal install path), `?backend=wasm,cpu` the backends, `?executor=layers` the stock
 * executor, `?threads=on|off` WASM threads.
 */
import type { Backend } from './classifier/types';

export interface PageOptions {
  model?: string;
  backends?: Backend[];
  executor?: 'layers';
  wasmThreads: boolean | 'auto';
}

const BACKENDS: readonly string[] = ['webgpu', 'webgl', 'wasm', 'cpu'] satisfies Backend[];

export function pageOptions(search = location.search): PageOptions {
  const params = new URLSearchParams(search);
  const backends = params
    .get('backend')
    ?.split(',')
    .filter((b): b is Backend => BACKENDS.includes(b));
  const threads = params.get('threads');
  return {
    model: params.get('model') ?? undefined,
    backends: backends?.length ? backends : undefined,
    executor: params.get('executor') === 'layers' ? 'layers' : undefined,
    wasmThreads: threads === 'off' ? false : threads === 'on' ? true : 'auto',
  };
}
