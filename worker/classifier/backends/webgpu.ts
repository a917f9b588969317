/** The WebGPU backend with the app's kernels; loaded only where `auto` or the page chose it. */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgpu/dist/base';
import { registerKernels } from '../kernels/register';
import { WEBGPU_KERNELS } from '../kernels/webgpu';
import type { BackendStart } from './types';

registerKernels(WEBGPU_KERNELS);

export const start: BackendStart = async ({ gpu }) => {
  if (!(await tf.setBackend('webgpu'))) throw new Error('WebGPU did not start');
  await tf.ready();
  return { details: `WebGPU, ${gpu?.description ?? 'unknown adapter'}` };
};
