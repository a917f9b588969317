import { useState } from 'preact/hooks';
import type { Label } from '../../shared/pack';
import { useI18n } from '../i18n';
import { ModalDialog } from './ModalDialog';
import { SpeciesName } from './SpeciesName';
import { speciesName } from './names';

/**
 * The correction picker: every species of the pack that made the prediction, by name (Latin
 * beside it), one chosen and then saved; nothing changes until "Save".
 */
export function SpeciesPicker(props: {
  species: readonly Label[];
  current: string | null;
  onSave: (id: string) => void;
  onClose: () => void;
}) {
  const { t, locale } = useI18n();
  const [chosen, setChosen] = useState<string | null>(props.current);
  const sorted = [...props.species].sort((a, b) =>
    speciesName(a, locale).localeCompare(speciesName(b, locale), locale),
  );
  return (
    <ModalDialog title={t('history.picker.title')} onClose={props.onClose} testId="species-picker">
      <form
        method="dialog"
        onSubmit={(event) => {
          const submitter = (event as SubmitEvent).submitter as HTMLButtonElement | null;
          if (submitter?.value === 'save' && chosen) props.onSave(chosen);
        }}
      >
        <fieldset class="species-choices">
          <legend class="muted">{t('history.picker.hint', { count: sorted.length })}</legend>
          {sorted.map((label) => (
            <label key={label.id} class="species-choice">
              <input
                type="radio"
                name="species"
                value={label.id}
                checked={chosen === label.id}
                onChange={() => setChosen(label.id)}
              />
              <span>
                <SpeciesName species={label} class="species-choice-name" />
                {label.latin !== speciesName(label, locale) && (
                  <i lang="la" class="muted">
                    {' '}
                    {label.latin}
                  </i>
                )}
              </span>
            </label>
          ))}
        </fieldset>
        <div class="modal-actions">
          <button type="submit" value="cancel">
            {t('history.picker.cancel')}
          </button>
          <button type="submit" value="save" class="primary" disabled={!chosen}>
            {t('history.picker.save')}
          </button>
        </div>
      </form>
    </ModalDialog>
  );
}
