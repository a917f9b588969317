import { PackSourceError } from './network-pack';

/**
 * Model pack failures as codes; the interface turns a code into words through the message table
 * in src/i18n/messages.ts (`packError.<code>`, English and Russian). AbortError is never wrapped.
 */

/** Why a model pack could not be listed, downloaded, verified, stored or loaded. */
export type PackErrorCode =
  | 'network'
  | 'http'
  | 'bad-response'
  | 'size-mismatch'
  | 'checksum-mismatch'
  | 'incomplete-pack'
  | 'storage-full'
  | 'storage-unavailable'
  | 'not-installed'
  | 'no-pack-offline'
  | 'not-in-registry'
  | 'warm-up-failed';

/** A model pack failure a person can act on; `file` and `status` fill the message's placeholders. */
export class PackError extends Error {
  constructor(
    readonly code: PackErrorCode,
    readonly detail: { file?: string; status?: number; cause?: unknown } = {},
  ) {
    super(
      `${code}${detail.file ? `: ${detail.file}` : ''}${detail.status ? ` (HTTP ${detail.status})` : ''}`,
      {
        cause: detail.cause,
      },
    );
    this.name = 'PackError';
  }
}

/** True for the error a cancelled operation rejects with; callers let it pass through unchanged. */
export function isAbortError(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

/** True when the browser refused to store more data (IndexedDB or Cache Storage quota). */
export function isQuotaError(error: unknown): boolean {
  return (
    error instanceof DOMException && (error.name === 'QuotaExceededError' || error.code === 22)
  );
}

/** Throws the signal's reason (an AbortError) when it has been aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted)
    throw signal.reason instanceof Error
      ? signal.reason
      : new DOMException('Aborted', 'AbortError');
}

/** The message-table key and placeholders for a PackError (`packError.<code>`). */
export function packErrorMessage(error: PackError): {
  key: `packError.${PackErrorCode}`;
  params: Record<string, string | number>;
} {
  return {
    key: `packError.${error.code}`,
    params: { file: error.detail.file ?? '', status: error.detail.status ?? '' },
  };
}

/** Maps the network source's errors (network-pack.ts) onto PackError codes; others pass through. */
export function toPackError(error: unknown): unknown {
  if (!(error instanceof PackSourceError)) return error;
  const code = (
    {
      'registry-unavailable': 'network',
      'model-not-found': 'not-in-registry',
      'file-corrupt': 'checksum-mismatch',
      'pack-invalid': 'bad-response',
    } as const
  )[error.code];
  return new PackError(code, { file: error.message, cause: error });
}
