import { describe, expect, it } from 'vitest';
import {
  ClassifierError,
  abortError,
  deserializeError,
  isAbortError,
  serializeError,
} from './errors';

describe('classifier errors across postMessage', () => {
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

  it('keeps the code of a ClassifierError and wraps anything else as internal', () => {
    const heic = deserializeError(
      structuredClone(serializeError(new ClassifierError('heic-unsupported', 'no decoder'))),
    );
    expect(heic).toBeInstanceOf(ClassifierError);
    expect((heic as ClassifierError).code).toBe('heic-unsupported');
    const other = deserializeError(structuredClone(serializeError(new TypeError('boom'))));
    expect((other as ClassifierError).code).toBe('internal');
    expect(other.message).toContain('boom');
  });
});
