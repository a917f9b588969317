/** The WebGL backend with the app's kernels; loaded only where `auto` or the page chose it. */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgl/dist/base';
import { registerKernels } from '../kernels/register';
import { WEBGL_KERNELS } from '../kernels/webgl';
import { webglRenderer } from './probe';
import type { BackendStart } from './types';

registerKernels(WEBGL_KERNELS);

export const start: BackendStart = async () => {
  const renderer = webglRenderer();
  if (!renderer) throw new Error('WebGL unavailable');
  if (!(await tf.setBackend('webgl'))) throw new Error('WebGL did not start');
  await tf.ready();
  return { details: `WebGL ${String(tf.env().get('WEBGL_VERSION'))}, ${renderer}` };
};
