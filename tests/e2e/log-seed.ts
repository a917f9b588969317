/**
 * What the History and Status specs put into the app's log (with sync-helpers' `seedLog`):
 * predictions shaped as src/storage/prediction-log.ts stores them, the species of a demo pack,
 * and the language a person chose — what someone would have after identifying these photos.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { ROOT } from '../support/test-packs.js';
import { outboxEntry } from './sync-helpers.js';

export interface SeedLabel {
  id: string;
  latin: string;
  names: Record<string, string>;
}

/** The species of a committed demo pack, from its metadata.json. */
export function demoLabels(name: string): SeedLabel[] {
  const path = join(ROOT, 'models/demo', name, 'metadata.json');
  return (JSON.parse(readFileSync(path, 'utf8')) as { labels: SeedLabel[] }).labels;
}

/** A logged prediction (pending unless `state` says otherwise); `thumbnail` is a file to attach. */
export function loggedPrediction(
  overrides: Record<string, unknown> & { thumbnail?: string } = {},
): Record<string, unknown> {
  const { thumbnail, ...rest } = overrides;
  return {
    ...outboxEntry({ model: { name: 'river-fish', version: 1 } }),
    top: [
      { label: 'bream', probability: 0.81 },
      { label: 'perch', probability: 0.12 },
      { label: 'burbot', probability: 0.04 },
    ],
    latencyMs: 83,
    backend: 'wasm',
    ...(thumbnail ? { thumbnailBytes: [...readFileSync(thumbnail)] } : {}),
    ...rest,
  };
}

/** Opens the app in `locale` for this page (as a person's saved language choice). */
export async function inLocale(page: Page, locale: 'en' | 'ru'): Promise<void> {
  await page.addInitScript((locale) => localStorage.setItem('fishlens.locale', locale), locale);
}
