/** Chooses the TF.js backend for Node training and evaluation: WASM (SIMD) when possible, else CPU. */
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';

let ready: Promise<string> | undefined;

/** Initialises TF.js once per process and returns the backend name in use. */
export function initBackend(preferred: 'wasm' | 'cpu' = 'wasm'): Promise<string> {
  ready ??= (async () => {
    if (preferred === 'wasm') {
      try {
        setThreadsCount(2);
        if (await tf.setBackend('wasm')) {
          await tf.ready();
          return tf.getBackend();
        }
      } catch {
        // fall through to CPU
      }
    }
    await tf.setBackend('cpu');
    await tf.ready();
    return tf.getBackend();
  })();
  return ready;
}
