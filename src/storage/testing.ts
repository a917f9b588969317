/** Test helpers for the prediction log. */
import type { OutboxEntry } from './prediction-log';

let n = 0;
/** A logged prediction as the app makes one. */
export function entry(overrides: Partial<OutboxEntry> = {}): Omit<OutboxEntry, 'state'> {
  n += 1;
  return {
    id: crypto.randomUUID(),
    createdAt: new Date(Date.UTC(2026, 10, 1, 0, 0, n)).toISOString(),
    model: { name: 'fish', version: 1 },
    top: [{ label: 'bream', probability: 0.9 }],
    notSure: false,
    latencyMs: 12,
    backend: 'cpu',
    appVersion: '0.1.0',
    ...overrides,
  };
}
