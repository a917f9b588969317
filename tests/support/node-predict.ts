/**
 * Node's per-image probabilities for a pack, computed exactly as `npm run eval` does (sharp
 * decode, shared preprocessing, the pack's layers model): the reference the browser must match.
 *   tsx tests/support/node-predict.ts <pack dir> <image>…   → {"<image>": [p0, p1, …], …}
 */
import { initBackend } from '../../training/backend';
import { readPackMetadata } from '../../training/eval-cli';
import { loadLayersModel } from '../../training/model-files';
import { predictFiles } from '../../training/predict';

async function main(): Promise<void> {
  const [packDir, ...files] = process.argv.slice(2);
  if (!packDir || files.length === 0) throw new Error('usage: node-predict <pack dir> <image>…');
  await initBackend();
  const metadata = await readPackMetadata(packDir);
  const model = await loadLayersModel(packDir);
  const classes = metadata.labels.length;
  const probabilities = await predictFiles(model, files, {
    preprocessing: metadata.preprocessing,
    size: { width: metadata.input.width, height: metadata.input.height },
  });
  const out: Record<string, number[]> = {};
  files.forEach(
    (file, i) => (out[file] = Array.from(probabilities.subarray(i * classes, (i + 1) * classes))),
  );
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
