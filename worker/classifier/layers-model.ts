/**
 * The stock TF.js layers model, for topologies the fused executor does not know: tfjs-layers is a
 * chunk of its own that the worker loads only then (most packs never need it).
 */
import {
  loadLayersModel,
  model,
  type LayersModel,
  type SymbolicTensor,
} from '@tensorflow/tfjs-layers';

export { loadLayersModel };

/** The same network answering with its output and layer `layer`'s output from one pass. */
export function withFeatureLayer(base: LayersModel, layer: string): LayersModel {
  const features = base.getLayer(layer).output as SymbolicTensor;
  return model({ inputs: base.inputs, outputs: [base.outputs[0]!, features] });
}
