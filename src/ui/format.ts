/** Numbers for people, in the locale's own format (`Intl`): sizes and percentages. */
import { displayPercent } from '../../shared/decision';

const BYTE_UNITS = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte'] as const;

/** "9.2 MB", "9,2 МБ": a byte count for people (decimal units, as phones show storage). */
export function formatBytes(bytes: number, locale: string): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return noBreak(
    new Intl.NumberFormat(locale, {
      style: 'unit',
      unit: BYTE_UNITS[unit],
      // ICU's short English name of the byte is "byte" ("512 byte"); the long one reads right.
      unitDisplay: unit === 0 ? 'long' : 'short',
      maximumFractionDigits: digits,
    }).format(value),
  );
}

/** The spaces between a number and its unit or sign as no-break spaces. */
function noBreak(text: string): string {
  return text.replace(/[ \u202f]/g, '\u00a0');
}

/**
 * "87%", "87 %": a probability as the locale writes a percentage (`Intl`), whole and capped as
 * `displayPercent` says. Where the locale puts a space before the sign it is a no-break space, so
 * "(49 %)" never breaks between the number and its sign.
 */
export function formatPercent(probability: number, locale: string): string {
  return noBreak(
    new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 }).format(
      displayPercent(probability) / 100,
    ),
  );
}
