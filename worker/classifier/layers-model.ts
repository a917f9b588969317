/**
 * The stock TF.js layers model, for topologies the fused executor does not know: tfjs-layers is a
 * chunk of its own that the worker loads only then (most packs never need it).
 */
export { loadLayersModel } from '@tensorflow/tfjs-layers';
