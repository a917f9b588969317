/**
 * Node's per-image probabilities for a pack, computed exactly as `npm run eval` does (sharp
 * decode, shared preprocessing, the pack's layers model): the reference the browser must match.
 *   tsx tests/support/node-predict.ts <pack dir> <image>…   → {"<image>": [p0, p1, …], …}
 *   tsx tests/support/node-predict.ts --decisions <pack dir> <image>…
 *     → {"<image>": {"verdict": "sure" | "not-sure" | "unknown", "ranked": […]}, …} (shared/decision.ts)
 */
import { initBackend } from '../../training/backend';
import { packDecisions } from '../../training/decisions';
import { readPackMetadata } from '../../training/eval-cli';
import { loadLayersModel } from '../../training/model-files';
import { predictFiles } from '../../training/predict';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const decisions = args[0] === '--decisions';
  const [packDir, ...files] = decisions ? args.slice(1) : args;
  if (!packDir || files.length === 0)
    throw new Error('usage: node-predict [--decisions] <pack dir> <image>…');
  await initBackend();
  if (decisions) {
    const list = await packDecisions(packDir, files);
    const out = Object.fromEntries(files.map((file, i) => [file, list[i]]));
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return;
  }
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
