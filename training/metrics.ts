/** Classification metrics in the pack's evaluation format: top-1, top-3, per class, confusion. */
import type { Evaluation } from '../shared/pack';

/** Scores class probabilities (n × labels, row-major) against true label indices. */
export function evaluatePredictions(
  probabilities: Float32Array,
  truth: Int32Array,
  labels: readonly string[],
): Evaluation {
  const classes = labels.length;
  const confusion = labels.map(() => new Array<number>(classes).fill(0));
  const perClass: Evaluation['perClass'] = {};
  const hits = new Array<number>(classes).fill(0);
  const counts = new Array<number>(classes).fill(0);
  let top1 = 0;
  let top3 = 0;
  for (let i = 0; i < truth.length; i++) {
    const row = Array.from(probabilities.subarray(i * classes, (i + 1) * classes));
    const order = row.map((p, j) => [p, j] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    const predicted = order[0]![1];
    const actual = truth[i]!;
    confusion[actual]![predicted]!++;
    counts[actual]!++;
    if (predicted === actual) {
      top1++;
      hits[actual]!++;
    }
    if (order.slice(0, 3).some(([, j]) => j === actual)) top3++;
  }
  labels.forEach((label, j) => {
    if (counts[j]! > 0) perClass[label] = { n: counts[j]!, top1: hits[j]! / counts[j]! };
  });
  const n = truth.length;
  return { n, top1: n ? top1 / n : 0, top3: n ? top3 / n : 0, perClass, confusion };
}

/** A readable table of an evaluation: totals, per-class accuracy and the confusion matrix. */
export function formatEvaluation(evaluation: Evaluation, labels: readonly string[]): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const width = Math.max(8, ...labels.map((l) => l.length));
  const lines = [
    `images: ${evaluation.n}   top-1: ${pct(evaluation.top1)}   top-3: ${pct(evaluation.top3)}`,
  ];
  const { sure, ece, unknown } = evaluation;
  if (sure)
    lines.push(
      `"sure" (top probability ≥ ${sure.threshold.toFixed(3)}): ${pct(sure.coverage)} of photos, right ${pct(sure.accuracy)} of the time${ece === undefined ? '' : `   ECE: ${ece.toFixed(3)}`}`,
    );
  if (unknown)
    lines.push(
      `photos of none of its species: ${unknown.n}, answered "sure" ${pct(unknown.answeredSure)}`,
    );
  lines.push('');
  lines.push(`${'class'.padEnd(width)}  ${'n'.padStart(5)}  ${'top-1'.padStart(7)}`);
  for (const label of labels) {
    const c = evaluation.perClass[label];
    if (c)
      lines.push(`${label.padEnd(width)}  ${String(c.n).padStart(5)}  ${pct(c.top1).padStart(7)}`);
  }
  lines.push('', 'confusion (rows: true label, columns: predicted label number)');
  lines.push(`${''.padEnd(width + 4)}${labels.map((_, j) => String(j + 1).padStart(4)).join('')}`);
  evaluation.confusion.forEach((row, i) => {
    const cells = row.map((v) => (v ? String(v) : '.').padStart(4)).join('');
    lines.push(`${String(i + 1).padStart(3)} ${labels[i]!.padEnd(width)}${cells}`);
  });
  return lines.join('\n');
}
