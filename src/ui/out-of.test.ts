import { describe, expect, it } from 'vitest';
import { outOf } from './out-of';

describe('a share in words', () => {
  it('is out of 10, or of 100 where tenths would say all or none of what is neither', () => {
    expect(outOf(0.62)).toEqual({ count: 6, total: 10 });
    expect(outOf(0.97)).toEqual({ count: 97, total: 100 });
    expect(outOf(0.999)).toEqual({ count: 99, total: 100 });
    expect(outOf(0.02)).toEqual({ count: 2, total: 100 });
    expect(outOf(1)).toEqual({ count: 10, total: 10 });
    expect(outOf(0)).toEqual({ count: 0, total: 10 });
  });
});
