import { describe, expect, it } from 'vitest';
import { formatBytes, formatPercent } from './format';

describe('formatPercent', () => {
  it('writes the percentage as each locale does: "87%" in English, "87 %" with a no-break space in Russian', () => {
    expect(formatPercent(0.87, 'en')).toBe('87%');
    expect(formatPercent(0.87, 'ru')).toBe('87\u00a0%');
  });
  it('never shows 100 % and never 0 % for a listed species', () => {
    expect(formatPercent(1, 'en')).toBe('99%');
    expect(formatPercent(0.9996, 'ru')).toBe('99\u00a0%');
    expect(formatPercent(0, 'en')).toBe('1%');
    expect(formatPercent(0.0001, 'ru')).toBe('1\u00a0%');
    expect(formatPercent(Number.NaN, 'en')).toBe('1%');
  });
  it('rounds to whole percent', () => {
    expect(formatPercent(0.494, 'en')).toBe('49%');
    expect(formatPercent(0.495, 'en')).toBe('50%');
  });
});

describe('formatBytes', () => {
  it('uses the locale\'s decimal separator and unit names: "4.7 MB", "4,7 МБ"', () => {
    expect(formatBytes(4_660_966, 'en')).toBe('4.7\u00a0MB');
    expect(formatBytes(4_660_966, 'ru')).toBe('4,7\u00a0МБ');
  });
  it('keeps small counts whole and large ones to three digits', () => {
    expect(formatBytes(512, 'en')).toBe('512\u00a0bytes');
    expect(formatBytes(123_456_789, 'en')).toBe('123\u00a0MB');
  });
});
