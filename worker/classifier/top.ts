import type { Label } from '../../shared/pack';
import type { LabelProbability } from './protocol';

/** The `k` most probable labels, most probable first (ties keep the pack's label order). */
export function topLabels(
  probabilities: readonly number[],
  labels: readonly Label[],
  k: number,
): LabelProbability[] {
  return probabilities
    .map((probability, index) => ({
      label: labels[index]?.id ?? String(index),
      probability,
      index,
    }))
    .sort((a, b) => b.probability - a.probability || a.index - b.index)
    .slice(0, k)
    .map(({ label, probability }) => ({ label, probability }));
}
