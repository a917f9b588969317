import { useI18n } from '../i18n';

export type ModelState =
  | { state: 'loading'; model?: string; version?: number }
  | { state: 'ready'; model: string; version: number; backend: string }
  | { state: 'error'; model?: string; version?: number; message: string };

/**
 * Whether the pack is ready, in words for people ("Preparing the pack…", "Ready"); the pack's
 * name, version and backend are there for tests only (`data-model`, `data-version`,
 * `data-backend`, `data-state`).
 */
export function ModelStatus(props: { status: ModelState; onRetry?: () => void }) {
  const { t } = useI18n();
  const s = props.status;
  return (
    <div
      class={`model-status model-status-${s.state}`}
      data-testid="model-status"
      data-state={s.state}
      data-model={s.model}
      data-version={s.version}
      data-backend={s.state === 'ready' ? s.backend : undefined}
      role={s.state === 'error' ? 'alert' : 'status'}
      aria-live="polite"
    >
      {s.state === 'loading' && <span>{t('identify.model.loading')}</span>}
      {s.state === 'ready' && <span>{t('identify.model.ready')}</span>}
      {s.state === 'error' && (
        <>
          <span>{s.message}</span>
          {props.onRetry && (
            <button type="button" class="link-button" onClick={props.onRetry}>
              {t('identify.retry')}
            </button>
          )}
        </>
      )}
    </div>
  );
}
