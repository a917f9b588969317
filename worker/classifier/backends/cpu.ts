/** The plain-JavaScript backend with the app's kernels: the last resort, everywhere. */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu/dist/base';
import { CPU_KERNELS } from '../kernels/cpu';
import { registerKernels } from '../kernels/register';
import type { BackendStart } from './types';

registerKernels(CPU_KERNELS);

export const start: BackendStart = async () => {
  if (!(await tf.setBackend('cpu'))) throw new Error('the CPU backend did not start');
  await tf.ready();
  return { details: 'plain JavaScript' };
};
