import { describe, expect, it } from 'vitest';
import { formatBytes, formatPercent, formatRate } from './format';
import { outOf, packTitle } from './pack-words';

describe('numbers for people', () => {
  it('writes sizes with the language’s separators and unit names', () => {
    expect(formatBytes(4_700_000, 'en')).toBe('4.7 MB');
    expect(formatBytes(4_700_000, 'ru').replace(/\s/, ' ')).toBe('4,7 МБ');
    expect(formatBytes(512, 'en')).toBe('512 bytes');
    expect(formatBytes(123_456_789, 'en')).toBe('123 MB');
  });

  it('writes one percent format per language, never 100 and never 0', () => {
    expect(formatPercent(0.734, 'en')).toBe('73%');
    expect(formatPercent(0.734, 'ru')).toBe('73\u00a0%');
    expect(formatPercent(0.9996, 'en')).toBe('99%');
    expect(formatPercent(0.0001, 'en')).toBe('1%');
    expect(formatRate(0.25, 'en')).toBe('25.0%');
  });

  it('says a share out of 10, or of 100 where tenths would say all or none', () => {
    expect(outOf(0.62)).toEqual({ count: 6, total: 10 });
    expect(outOf(0.97)).toEqual({ count: 97, total: 100 });
    expect(outOf(0.999)).toEqual({ count: 99, total: 100 });
    expect(outOf(0.02)).toEqual({ count: 2, total: 100 });
    expect(outOf(1)).toEqual({ count: 10, total: 10 });
    expect(outOf(0)).toEqual({ count: 0, total: 10 });
  });

  it('names a pack by its localised title, else its name in words', () => {
    const display = { title: { en: 'River fish', ru: 'Речные рыбы' }, description: {} };
    expect(packTitle(display, 'river-fish', 'ru')).toBe('Речные рыбы');
    expect(packTitle({ title: { en: 'River fish' }, description: {} }, 'x', 'ru')).toBe(
      'River fish',
    );
    expect(packTitle(undefined, 'reef-fish_2', 'ru')).toBe('Reef fish 2');
  });
});
