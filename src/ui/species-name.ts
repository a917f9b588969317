import type { Label } from '../../shared/pack';

/** A species as people call it in `locale`: its common name there, else in English, else Latin. */
export function speciesName(label: Label, locale: string): string {
  return label.names[locale] ?? label.names.en ?? label.latin;
}

/** The species with id `id` in `species`, or a stand-in named by the id (a log kept no names). */
export function speciesById(species: readonly Label[], id: string): Label {
  return species.find((label) => label.id === id) ?? { id, latin: id, names: {} };
}
