const BYTE_UNITS = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte'] as const;

/**
 * "9.2 MB", "9,2 МБ": a byte count for people, in decimal units as phones show storage, with the
 * language's own unit names and separators (Intl).
 */
export function formatBytes(bytes: number, locale: string): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return new Intl.NumberFormat(locale, {
    style: 'unit',
    unit: BYTE_UNITS[unit],
    // The short name of a plain byte is "byte" in English; the long one says "bytes".
    unitDisplay: unit === 0 ? 'long' : 'short',
    maximumFractionDigits: unit === 0 || value >= 100 ? 0 : 1,
  }).format(value);
}

/**
 * A probability in whole percent the language's way ("73%", "73 %"), the one percent format of the
 * app: never "100" (a model is never certain) and never "0" for something it lists.
 */
export function formatPercent(probability: number, locale: string): string {
  const shown = Math.min(99, Math.max(1, Math.round(probability * 100)));
  return new Intl.NumberFormat(locale, { style: 'percent' }).format(shown / 100);
}

/** A rate in statistics, to a tenth of a percent the language's way ("25.0%", "25,0 %"). */
export function formatRate(rate: number, locale: string): string {
  return new Intl.NumberFormat(locale, {
    style: 'percent',
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  }).format(rate);
}
