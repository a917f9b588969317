import { describe, expect, it } from 'vitest';
import { DEFAULT_HEAD } from './head';
import { headDescription } from './pack-metadata';

describe('headDescription', () => {
  it('names the head the pack carries: linear, hidden layer, averaged members, nearest centres', () => {
    expect(headDescription(DEFAULT_HEAD, 256)).toBe('dense softmax head');
    expect(headDescription({ ...DEFAULT_HEAD, members: 3 }, 256)).toBe(
      '3 dense softmax heads averaged as one',
    );
    expect(headDescription({ ...DEFAULT_HEAD, hidden: 256 }, 256)).toBe(
      'softmax head with a hidden layer of 256 ReLU units',
    );
    expect(headDescription({ ...DEFAULT_HEAD, hidden: 256, members: 5 }, 512)).toBe(
      '5 softmax heads, each with a hidden layer of 256 ReLU units, averaged as one',
    );
    expect(headDescription({ ...DEFAULT_HEAD, kind: 'centres', centresDims: 64 }, 256)).toBe(
      'nearest-centre head on the leading 64 coordinates (as a dense softmax layer)',
    );
    expect(headDescription({ ...DEFAULT_HEAD, kind: 'centres' }, 128)).toMatch(/leading 128 /);
  });
});
