/**
 * Hooks for the e2e tests and the inference bench into the running classifier: no screen uses
 * them. Tests import `FishlensDebug` from here, so the hooks and their callers share one type.
 */
import type { Classifier, MemoryResult, RepeatResult } from '../classifier/types';

export interface FishlensDebug {
  /** The loaded classifier, once the model is ready. */
  readonly classifier: Classifier | undefined;
  /** TF.js memory counters in the classifier worker. */
  memory(): Promise<MemoryResult>;
  /** Classifies the last photo `count` more times in the worker. */
  repeatLast(count: number): Promise<RepeatResult>;
}

declare global {
  interface Window {
    fishlensDebug?: FishlensDebug;
  }
}

/** Installs `window.fishlensDebug` over the app's own getters. */
export function installDebugHooks(source: {
  classifier: () => Classifier | undefined;
  lastPhoto: () => Blob | undefined;
}): void {
  const ready = (): Classifier => {
    const classifier = source.classifier();
    if (!classifier) throw new Error('the model is not ready');
    return classifier;
  };
  window.fishlensDebug = {
    get classifier() {
      return source.classifier();
    },
    memory: () => ready().memory(),
    repeatLast(count) {
      const photo = source.lastPhoto();
      return photo ? ready().repeat(photo, count) : Promise.reject(new Error('no photo yet'));
    },
  };
}
