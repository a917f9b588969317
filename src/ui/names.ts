/**
 * Names for people: a species by its common name in the interface language, a pack by its
 * localised title. Bare exports without these fall back to what they have (the Latin name, the
 * English description, a pack name made readable) rather than to ids.
 */
import type { PackDisplay } from '../../shared/pack';

/** A species as the pack names it: Latin always, common names by locale. */
export interface SpeciesNames {
  latin: string;
  names: Record<string, string>;
}

/** The common name in `locale`, else the scientific one (a Russian screen shows no English names). */
export function speciesName(species: SpeciesNames, locale: string): string {
  return species.names[locale] ?? species.latin;
}

/**
 * The language of `speciesName(species, locale)` when it is not the page's: Latin for the
 * fallback, so screen readers read it as Latin and it is not taken for untranslated words.
 */
export function speciesNameLang(species: SpeciesNames, locale: string): 'la' | undefined {
  return species.names[locale] === undefined ? 'la' : undefined;
}

/** What a pack says about itself, from its metadata or the registry's list. */
export interface PackWords {
  name: string;
  display?: PackDisplay | undefined;
  /** The pack's own (English) description, for packs without `display`. */
  description: string;
}

/** "river-fish" → "River fish": the last resort for a pack without a title. */
function readableName(name: string): string {
  const words = name.replace(/[-_]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The pack's title in `locale`, else in English, else its name made readable. */
export function packTitle(pack: PackWords, locale: string): string {
  const title = pack.display?.title;
  return title?.[locale] ?? title?.en ?? readableName(pack.name);
}

/** The pack's description in `locale`, else in English, else its plain `description`. */
export function packDescription(pack: PackWords, locale: string): string {
  const description = pack.display?.description;
  return description?.[locale] ?? description?.en ?? pack.description;
}

/**
 * Up to `count` species to name as examples of what a pack covers: those with a common name in
 * `locale` first, and among them those with names in more languages (the better-known fish), in
 * the pack's order otherwise.
 */
export function exampleSpecies(
  species: readonly SpeciesNames[],
  locale: string,
  count = 3,
): string[] {
  const known = (s: SpeciesNames) => (s.names[locale] ? 100 : 0) + Object.keys(s.names).length;
  return [...species]
    .sort((a, b) => known(b) - known(a))
    .slice(0, count)
    .map((s) => speciesName(s, locale));
}
