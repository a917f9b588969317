/**
 * The app's one error type: a stable code, and the details its message needs. People never see
 * `message` (technical detail for logs and bug reports); the interface turns `code` into words
 * through the message table (src/i18n, `error.<code>`, English and Russian), as Workbox's
 * WorkboxError does with its messages.ts. Codes cross postMessage between the classifier worker and
 * the page unchanged. A cancelled operation rejects with the platform's AbortError, never this.
 */

export const ERROR_CODES = [
  // Photos
  /** The file is not an image at all (a text file renamed `.jpg`, a PDF…). */
  'not-an-image',
  /** HEIC/HEIF photo and this browser cannot decode it. */
  'heic-unsupported',
  /** An image format we know, but the bytes are damaged or truncated. */
  'corrupt-image',
  /** The image is larger than anything we can decode on this device. */
  'image-too-large',
  // The classifier
  /** The pack's model could not be built (bad model.json, missing or short weight file). */
  'model-invalid',
  /** The model is not one photo in, one score per label out (format, input or output). */
  'model-unsupported',
  /** The model uses TF.js ops or layer types the app cannot run (`names`). */
  'model-ops-unsupported',
  /** The model gives `outputs` scores but the pack has `labels` labels. */
  'model-labels-mismatch',
  /** None of the TF.js backends could start. */
  'no-backend',
  /** The worker died or could not start. */
  'worker-failed',
  /** The worker did not answer in time and was stopped (a model or GPU driver stuck). */
  'worker-timeout',
  /** The classifier was disposed while a call was running. */
  'disposed',
  // Model packs: listing, downloading, verifying, storing
  /** No connection to the registry. */
  'network',
  /** The registry answered with an HTTP error (`status`). */
  'http',
  /** The registry answered with something that is not what the API promises. */
  'bad-response',
  /** A file arrived shorter or longer than listed (`file`). */
  'size-mismatch',
  /** A file does not match its sha256 (`file`). */
  'checksum-mismatch',
  /** A stored pack lacks a file (`file`), or model.json names a file the pack does not list. */
  'incomplete-pack',
  'storage-full',
  'storage-unavailable',
  'not-installed',
  /** No pack on this device and no network to get one. */
  'no-pack-offline',
  'not-in-registry',
  /** A downloaded version could not be loaded on this device; it was not switched in. */
  'warm-up-failed',
  // The camera
  'camera-unavailable',
  'camera-denied',
  /** Anything else; `message` has the details for a bug report. */
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** What fills the placeholders of an error's message (`{file}`, `{status}`, `{names}`…). */
export interface ErrorDetails {
  file?: string;
  status?: number;
  /** Names of unsupported ops or layer types, comma-separated. */
  names?: string;
  outputs?: number;
  labels?: number;
}

/** A failure a person can act on; `code` selects the words, `details` fill them in. */
export class FishlensError extends Error {
  override readonly name = 'FishlensError';
  constructor(
    readonly code: ErrorCode,
    detail?: string,
    readonly details: ErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(detail ? `${code}: ${detail}` : code, options);
  }
}

/** The error's code when it is one of ours, else `internal`. */
export function errorCode(error: unknown): ErrorCode {
  return error instanceof FishlensError ? error.code : 'internal';
}

/** True for the DOMException (or look-alike) that `AbortSignal` cancellation produces. */
export function isAbortError(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { name?: unknown }).name === 'AbortError'
  );
}

/** The standard AbortError, as `fetch` throws it; `signal.reason` when it is one. */
export function abortError(signal?: AbortSignal): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  return new DOMException('The operation was aborted.', 'AbortError');
}

/** Throws the signal's AbortError when it has been aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError(signal);
}

/** A plain object that survives postMessage and becomes the same error on the other side. */
export interface SerializedError {
  name: string;
  code?: ErrorCode;
  details?: ErrorDetails;
  message: string;
}

/** Flattens an error for postMessage. */
export function serializeError(error: unknown): SerializedError {
  if (error instanceof FishlensError)
    return { name: error.name, code: error.code, details: error.details, message: error.message };
  if (isAbortError(error)) return { name: 'AbortError', message: 'The operation was aborted.' };
  const message = error instanceof Error ? error.message : String(error);
  return { name: 'Error', code: 'internal', message };
}

/** Rebuilds a serialized error: AbortError stays an AbortError, everything else a FishlensError. */
export function deserializeError(error: SerializedError): Error {
  if (error.name === 'AbortError') return new DOMException(error.message, 'AbortError');
  const err = new FishlensError(error.code ?? 'internal', undefined, error.details);
  err.message = error.message;
  return err;
}
