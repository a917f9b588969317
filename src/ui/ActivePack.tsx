import type { ComponentChildren } from 'preact';
import { useI18n } from '../i18n';

/**
 * The pack in use, on the Identify screen: its title and how many species it knows, with
 * "Change" opening the choice of packs (`controls` names it), and the pack's readiness below.
 */
export function ActivePack(props: {
  title: string;
  speciesCount: number;
  open: boolean;
  controls: string;
  onToggle: () => void;
  /** The readiness line (ModelStatus). */
  children: ComponentChildren;
}) {
  const { t } = useI18n();
  return (
    <div class="active-pack" data-testid="active-pack">
      <div class="active-pack-row">
        <p class="active-pack-name">
          <span class="active-pack-label">{t('identify.pack.label')}</span>{' '}
          {props.title && (
            <>
              <strong>{props.title}</strong>{' '}
              <span class="active-pack-count">
                {t('identify.pack.species', { count: props.speciesCount })}
              </span>
            </>
          )}
        </p>
        <button
          type="button"
          class="active-pack-change"
          aria-expanded={props.open}
          aria-controls={props.open ? props.controls : undefined}
          onClick={props.onToggle}
        >
          {t('identify.pack.change')}
        </button>
      </div>
      {props.children}
    </div>
  );
}
