/** The on-device classifier: load a pack, classify photos in a worker. */
export {
  loadClassifier,
  type FishlensClassifier,
  type LoadClassifierOptions,
  type ClassificationTimings,
} from './classifier';
export {
  ClassifierError,
  isAbortError,
  CLASSIFIER_ERROR_CODES,
  type ClassifierErrorCode,
} from './errors';
export type * from './types';
