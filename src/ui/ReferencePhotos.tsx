import type { ReferencePhoto } from '../../shared/pack';
import { useI18n } from '../i18n';

/** A reference photo of the pack, ready to show (`url`: an object URL of the stored file). */
export interface ReferencePhotoView extends ReferencePhoto {
  url: string;
}

/**
 * "Photos: <credit> · <licence>", once per distinct credit. The credits are the pack's words as
 * their authors wrote them: names, sources and licences, not for translating.
 */
function Credits(props: { photos: readonly ReferencePhotoView[] }) {
  const { t } = useI18n();
  const credits = [...new Set(props.photos.map((p) => `${p.credit} · ${p.licence}`))];
  return (
    <p class="reference-credit">
      {t('species.photosCredit')} <span translate={false}>{credits.join('; ')}</span>
    </p>
  );
}

/**
 * The species' reference photos from the pack, with their credit: a row of small ones on the
 * result (tapping one opens the species card), larger ones on the card. Nothing when the pack has
 * none (bare exports, packs made before they carried photos).
 */
export function ReferencePhotos(props: {
  /** The species' name, for the photos' descriptions. */
  name: string;
  photos: readonly ReferencePhotoView[];
  layout: 'strip' | 'grid';
  onOpen?: () => void;
}) {
  const { t } = useI18n();
  const { photos, name } = props;
  if (photos.length === 0) return null;
  return (
    <div class={`reference-photos reference-${props.layout}`}>
      <ul class="reference-list">
        {photos.map((photo, i) => {
          const alt = t('species.photoAlt', { name, n: i + 1 });
          const img = <img src={photo.url} alt={alt} data-testid="reference-photo" />;
          return (
            <li key={photo.path}>
              {props.onOpen ? (
                <button
                  type="button"
                  class="reference-open"
                  aria-haspopup="dialog"
                  onClick={props.onOpen}
                >
                  {img}
                </button>
              ) : (
                img
              )}
            </li>
          );
        })}
      </ul>
      <Credits photos={photos} />
    </div>
  );
}
