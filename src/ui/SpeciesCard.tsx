import { useEffect, useRef } from 'preact/hooks';
import type { Label } from '../../shared/pack';
import { useI18n } from '../i18n';
import { formatPercent } from './format';
import { speciesName, speciesNameLang } from './names';
import { ReferencePhotos, type ReferencePhotoView } from './ReferencePhotos';

/**
 * One species of the pack in a modal dialog: its names (common ones in every language the pack
 * has, and the Latin one), how likely it is for this photo, and its reference photos with their
 * credit. Escape, the close button or a tap outside close it; focus then returns where it was.
 */
export function SpeciesCard(props: {
  label: Label;
  photos: readonly ReferencePhotoView[];
  /** The probability for the photo; left out when the answer was "not one of my species". */
  probability: number | null;
  onClose: () => void;
}) {
  const { t, locale } = useI18n();
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
  }, []);
  const { label } = props;
  const name = speciesName(label, locale);
  const others = Object.entries(label.names).filter(([code]) => code !== locale);
  return (
    <dialog
      ref={dialog}
      class="species-card"
      data-testid="species-card"
      aria-labelledby="species-card-title"
      onClose={props.onClose}
      onClick={(event) => {
        // A tap on the backdrop lands on the dialog element itself.
        if (event.target === dialog.current) dialog.current?.close();
      }}
    >
      <div class="species-card-body">
        <header class="species-card-head">
          <h2 id="species-card-title" lang={speciesNameLang(label, locale)}>
            {name}
          </h2>
          {/* First in the dialog, so it gets the focus and the card opens at its top. */}
          <form method="dialog">
            <button type="submit">{t('species.close')}</button>
          </form>
        </header>
        <p class="species-latin">
          <i lang="la">{label.latin}</i>
        </p>
        {props.probability !== null && (
          <p class="species-card-probability">
            {t('species.probability', { percent: formatPercent(props.probability, locale) })}
          </p>
        )}
        {others.length > 0 && (
          <dl class="species-names">
            {others.flatMap(([code, other]) => [
              <dt key={`${code}-name`}>{languageName(code, locale)}</dt>,
              <dd key={`${code}-value`} lang={code}>
                {other}
              </dd>,
            ])}
          </dl>
        )}
        <ReferencePhotos name={name} photos={props.photos} layout="grid" />
      </div>
    </dialog>
  );
}

/** "English", "английский": a language's name in the interface language. */
function languageName(code: string, locale: string): string {
  try {
    const name = new Intl.DisplayNames([locale], { type: 'language' }).of(code) ?? code;
    return name.charAt(0).toLocaleUpperCase(locale) + name.slice(1);
  } catch {
    return code;
  }
}
