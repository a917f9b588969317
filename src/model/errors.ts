/**
 * Failures of the classifier as codes (the UI turns them into words through the i18n table
 * under `error.<code>`), so a worker, a bridge and a screen can agree on them across postMessage.
 */

export const CLASSIFIER_ERROR_CODES = [
  /** The file is not an image at all (a text file renamed `.jpg`, a PDF…). */
  'not-an-image',
  /** HEIC/HEIF photo and this browser cannot decode it. */
  'heic-unsupported',
  /** An image format we know, but the bytes are damaged or truncated. */
  'corrupt-image',
  /** The image is larger than anything we can decode on this device. */
  'image-too-large',
  /** The pack's model could not be built (bad model.json, missing or short weight file). */
  'model-invalid',
  /** None of the requested TF.js backends could start. */
  'no-backend',
  /** The worker died or could not start. */
  'worker-failed',
  /** The classifier was disposed while a call was running. */
  'disposed',
  /** Anything else; the message has the details for a bug report. */
  'internal',
] as const;

export type ClassifierErrorCode = (typeof CLASSIFIER_ERROR_CODES)[number];

/** An error with a stable code; `message` carries technical detail, never shown as-is. */
export class ClassifierError extends Error {
  override readonly name = 'ClassifierError';
  constructor(
    readonly code: ClassifierErrorCode,
    detail?: string,
  ) {
    super(detail ? `${code}: ${detail}` : code);
  }
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

/** A plain object that survives postMessage and becomes the same error on the other side. */
export interface SerializedError {
  name: string;
  code?: ClassifierErrorCode;
  message: string;
}

/** Flattens an error for postMessage. */
export function serializeError(error: unknown): SerializedError {
  if (error instanceof ClassifierError)
    return { name: error.name, code: error.code, message: error.message };
  if (isAbortError(error)) return { name: 'AbortError', message: 'The operation was aborted.' };
  const message = error instanceof Error ? error.message : String(error);
  return { name: 'Error', code: 'internal', message };
}

/** Rebuilds a serialized error: AbortError stays an AbortError, everything else a ClassifierError. */
export function deserializeError(error: SerializedError): Error {
  if (error.name === 'AbortError') return new DOMException(error.message, 'AbortError');
  const code = error.code ?? 'internal';
  const err = new ClassifierError(code);
  err.message = error.message;
  return err;
}
