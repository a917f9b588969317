/**
 * `@tensorflow/tfjs-core` as the classifier worker's build resolves it (vite.config.ts aliases the
 * bare name to this file for the worker bundle only): tfjs-core's own index minus the optimizers
 * it registers for training, as TF.js custom bundles do. The backends, tfjs-layers and
 * tfjs-converter all import the bare name, so they share this one engine.
 */
import '@tensorflow/tfjs-core/dist/base_side_effects';

export * from '@tensorflow/tfjs-core/dist/base';
