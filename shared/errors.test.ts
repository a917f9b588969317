import { describe, expect, it } from 'vitest';
import {
  FishlensError,
  abortError,
  deserializeError,
  isAbortError,
  serializeError,
} from './errors';

describe('errors across postMessage', () => {
  it('keeps an AbortError an AbortError', () => {
    const controller = new AbortController();
    controller.abort();
    const error = deserializeError(structuredClone(serializeError(abortError(controller.signal))));
    expect(isAbortError(error)).toBe(true);
    expect(error).toBeInstanceOf(DOMException);
  });

  it('passes the AbortError of the signal through unchanged', () => {
    const controller = new AbortController();
    const reason = new DOMException('stop', 'AbortError');
    controller.abort(reason);
    expect(abortError(controller.signal)).toBe(reason);
  });

  it('keeps the code and details of a FishlensError and wraps anything else as internal', () => {
    const heic = deserializeError(
      structuredClone(serializeError(new FishlensError('heic-unsupported', 'no decoder'))),
    );
    const damaged = deserializeError(
      structuredClone(
        serializeError(new FishlensError('checksum-mismatch', 'x', { file: 'model.json' })),
      ),
    );
    expect((damaged as FishlensError).details).toEqual({ file: 'model.json' });
    expect(heic).toBeInstanceOf(FishlensError);
    expect((heic as FishlensError).code).toBe('heic-unsupported');
    const other = deserializeError(structuredClone(serializeError(new TypeError('boom'))));
    expect((other as FishlensError).code).toBe('internal');
    expect(other.message).toContain('boom');
  });
});
