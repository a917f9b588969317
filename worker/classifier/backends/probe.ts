/**
 * What this device's GPU offers the classifier worker, asked before any backend code is loaded:
 * a software GPU (SwiftShader, llvmpipe, a "fallback" adapter) runs models several times slower
 * than WASM on the CPU, so `auto` only picks a GPU backend when it is real hardware.
 */

const SOFTWARE = /swiftshader|llvmpipe|software|basic render|microsoft basic/i;

/** The parts of WebGPU read here (TypeScript's DOM types do not have WebGPU yet). */
interface GpuAdapterLike {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string };
  isFallbackAdapter?: boolean;
}
interface NavigatorWithGpu {
  gpu?: { requestAdapter(options?: object): Promise<GpuAdapterLike | null> };
}

export interface GpuProbe {
  /** A WebGPU adapter exists (hardware or software). */
  available: boolean;
  /** It is a hardware adapter: worth preferring to WASM. */
  hardware: boolean;
  description: string;
}

/** The WebGPU adapter the webgpu backend would get, described. */
export async function probeWebGpu(): Promise<GpuProbe> {
  const gpu = (navigator as NavigatorWithGpu).gpu;
  if (!gpu) return { available: false, hardware: false, description: 'no WebGPU' };
  try {
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) return { available: false, hardware: false, description: 'no WebGPU adapter' };
    const info = adapter.info ?? {};
    const description =
      [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ') ||
      'unknown adapter';
    const fallback = adapter.isFallbackAdapter === true || SOFTWARE.test(description);
    return { available: true, hardware: !fallback, description };
  } catch (error) {
    return { available: false, hardware: false, description: String(error) };
  }
}

/** The WebGL renderer string, or null when WebGL is unavailable in this context. */
export function webglRenderer(): string | null {
  try {
    const gl =
      new OffscreenCanvas(1, 1).getContext('webgl2') ??
      new OffscreenCanvas(1, 1).getContext('webgl');
    if (!gl) return null;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    return String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  } catch {
    return null;
  }
}

export function isSoftwareRenderer(renderer: string): boolean {
  return SOFTWARE.test(renderer);
}
