import type { PackDisplay } from '../../shared/pack';

/**
 * A pack's title for people in `locale`: its localised title, else the English one, else (a bare
 * export) its registered name written as words ("reef-fish" → "Reef fish").
 */
export function packTitle(display: PackDisplay | undefined, name: string, locale: string): string {
  const words = name.replace(/[-_]+/g, ' ').trim();
  return (
    display?.title[locale] ?? display?.title.en ?? words.charAt(0).toUpperCase() + words.slice(1)
  );
}

/** A pack's description in `locale`: localised, else English, else the plain one of bare exports. */
export function packDescription(
  display: PackDisplay | undefined,
  description: string,
  locale: string,
): string {
  return display?.description[locale] ?? display?.description.en ?? description;
}

/**
 * A share as "about `count` of `total`" for people: of 10, or of 100 when tenths would say "all"
 * or "none" of something that is neither (0.97 is 97 of 100, not 10 of 10).
 */
export function outOf(share: number): { count: number; total: number } {
  const tenths = Math.round(share * 10);
  if ((tenths === 10 && share < 1) || (tenths === 0 && share > 0))
    return { count: Math.min(99, Math.max(1, Math.round(share * 100))), total: 100 };
  return { count: tenths, total: 10 };
}
