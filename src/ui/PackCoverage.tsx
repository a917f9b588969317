import { useI18n } from '../i18n';
import { exampleSpecies, type SpeciesNames } from './names';

/**
 * What a pack covers in words: "7 species (e.g. common bream, perch and roach)", the examples in
 * the language's list format. The pack choice and the Models cards say it the same way.
 */
export function PackCoverage(props: { count: number; species: readonly SpeciesNames[] }) {
  const { t, locale } = useI18n();
  const examples = exampleSpecies(props.species, locale);
  return (
    <>
      {t('packs.species', { count: props.count })}
      {examples.length > 0 &&
        ` ${t('packs.examples', {
          names: new Intl.ListFormat(locale, { style: 'narrow', type: 'conjunction' }).format(
            examples,
          ),
        })}`}
    </>
  );
}
