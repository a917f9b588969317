import { useI18n } from '../i18n';

/**
 * A pack download under way: a bar (indeterminate until the size is known), what it is doing in
 * words, and Cancel. The pack choice and the Models cards show it the same way.
 */
export function PackProgress(props: {
  loaded: number;
  total: number;
  /** The pack's title, naming the bar for screen readers. */
  label: string;
  text: string;
  onCancel: () => void;
}) {
  const { t } = useI18n();
  return (
    <div class="pack-progress" data-testid="pack-progress">
      <progress
        max={props.total || undefined}
        value={props.total ? props.loaded : undefined}
        aria-label={props.label}
      />
      <span>{props.text}</span>
      <button type="button" onClick={props.onCancel}>
        {t('packs.cancel')}
      </button>
    </div>
  );
}
