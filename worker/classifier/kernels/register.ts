import { getKernel, registerKernel, type KernelConfig } from '@tensorflow/tfjs-core';

/** Registers a backend's kernels (once: a second start of the same backend finds them there). */
export function registerKernels(kernels: Record<string, KernelConfig>): void {
  for (const config of Object.values(kernels)) {
    if (!getKernel(config.kernelName, config.backendName)) registerKernel(config);
  }
}
