import { useRef, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { useI18n } from '../i18n';

/**
 * Every way to give a photo: take one (camera via `capture`), choose a file, drag and drop, paste.
 * There is exactly one `input[type=file]`: the two buttons toggle its `capture` attribute, so
 * "take" opens the camera on phones and "choose" opens the gallery.
 */
export function PhotoInput(props: {
  onPhoto: (photo: File) => void;
  disabled?: boolean;
  /** Extra controls (the live camera button) placed next to the two buttons. */
  extra?: ComponentChildren;
}) {
  const { t } = useI18n();
  const input = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);

  const open = (capture: boolean) => {
    const element = input.current;
    if (!element) return;
    if (capture) element.setAttribute('capture', 'environment');
    else element.removeAttribute('capture');
    element.click();
  };
  const take = (files: FileList | null | undefined) => {
    const file = files?.[0];
    if (file) props.onPhoto(file);
  };

  return (
    <div
      class={`photo-input${dragging ? ' dragging' : ''}`}
      onDragOver={(event) => {
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(event) => {
        event.preventDefault();
        setDragging(false);
        take(event.dataTransfer?.files);
      }}
    >
      <input
        ref={input}
        id="photo-input"
        class="visually-hidden"
        type="file"
        accept="image/*"
        capture="environment"
        data-testid="photo-input"
        aria-label={t('identify.photoLabel')}
        tabIndex={-1}
        disabled={props.disabled}
        onChange={(event) => {
          take(event.currentTarget.files);
          event.currentTarget.value = ''; // the same file again must fire change again
        }}
      />
      <div class="photo-buttons">
        <button type="button" class="primary" disabled={props.disabled} onClick={() => open(true)}>
          {t('identify.takePhoto')}
        </button>
        <button type="button" disabled={props.disabled} onClick={() => open(false)}>
          {t('identify.choosePhoto')}
        </button>
        {props.extra}
      </div>
      <p class="muted drop-hint">{t('identify.dropHint')}</p>
    </div>
  );
}
