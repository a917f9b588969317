import { useI18n } from '../i18n';
import { speciesName, speciesNameLang, type SpeciesNames } from './names';

/** A species' name in the interface language, its Latin fallback marked as Latin. */
export function SpeciesName(props: { species: SpeciesNames; class?: string; testid?: string }) {
  const { locale } = useI18n();
  return (
    <span
      class={props.class}
      data-testid={props.testid}
      lang={speciesNameLang(props.species, locale)}
    >
      {speciesName(props.species, locale)}
    </span>
  );
}
