import { afterEach, describe, expect, it, vi } from 'vitest';
import { backendPlan } from './index';

/** A navigator whose WebGPU adapter reports `info` (Node has neither WebGPU nor OffscreenCanvas). */
function withAdapter(adapter: object | null) {
  vi.stubGlobal('navigator', {
    hardwareConcurrency: 2,
    gpu: { requestAdapter: () => Promise.resolve(adapter) },
  });
}

describe('backend order under auto', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('puts a hardware WebGPU adapter first', async () => {
    withAdapter({ info: { vendor: 'qualcomm', architecture: 'adreno-7xx' } });
    const plan = await backendPlan('auto');
    expect(plan.order).toEqual(['webgpu', 'wasm', 'cpu']);
    expect(plan.gpu).toMatchObject({ available: true, hardware: true });
  });

  it('leaves out a software or fallback adapter: WASM is faster than SwiftShader', async () => {
    withAdapter({ info: { vendor: 'google', architecture: 'swiftshader' } });
    expect((await backendPlan('auto')).order).toEqual(['wasm', 'cpu']);
    withAdapter({ info: { vendor: 'intel', architecture: 'gen-12lp' }, isFallbackAdapter: true });
    expect((await backendPlan('auto')).order).toEqual(['wasm', 'cpu']);
  });

  it('starts without WebGPU, and keeps an explicit order as given', async () => {
    withAdapter(null);
    expect((await backendPlan('auto')).order).toEqual(['wasm', 'cpu']);
    expect((await backendPlan(['webgpu', 'cpu'])).order).toEqual(['webgpu', 'cpu']);
  });
});
