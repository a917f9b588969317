/** The app's decision for image files, computed in Node exactly as `npm run eval` does. */
import { decide, type Decision } from '../shared/decision';
import { readPackMetadata } from './eval-cli';
import { loadLayersModel } from './model-files';
import { predictOutputs } from './predict';

/** Sure / not sure / unknown and the calibrated ranking of each file, by the pack in `packDir`. */
export async function packDecisions(packDir: string, files: string[]): Promise<Decision[]> {
  const metadata = await readPackMetadata(packDir);
  const model = await loadLayersModel(packDir);
  try {
    const outputs = await predictOutputs(model, files, {
      preprocessing: metadata.preprocessing,
      size: metadata.input,
      featureLayer: metadata.unknown?.layer,
    });
    return outputs.map((o) => decide(o, metadata));
  } finally {
    model.dispose();
  }
}
