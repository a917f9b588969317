import { useI18n } from '../i18n';
import { formatBytes } from './format';
import type { SpeciesNames } from './names';
import { PackCoverage } from './PackCoverage';
import { PackProgress } from './PackProgress';
import { PackQuality, type PackQualityView } from './PackQuality';

/** One pack as the choice shows it: what it covers, its size, and where its install stands. */
export interface PackOptionView {
  /** The pack's registered name: a test hook only (`data-model`), never shown. */
  name: string;
  title: string;
  description: string;
  speciesCount: number;
  /** The species by name, when known (a few are named as examples). */
  species: readonly SpeciesNames[];
  /** Measured on validation fish (of the version on the device, else the one offered), when known. */
  sure: PackQualityView | undefined;
  /** Download size (or the size on the device once installed). */
  sizeBytes: number;
  installed: boolean;
  active: boolean;
  progress: { loaded: number; total: number } | null;
  /** Why the last download failed, in words. */
  error: string | null;
}

/** Whether the list of packs that can be downloaded is known. */
export type RegistryState = 'loading' | 'ready' | 'unreachable';

export interface PackChoiceProps {
  id: string;
  /** The first start: no pack on the device yet. */
  first: boolean;
  options: PackOptionView[];
  online: boolean;
  registry: RegistryState;
  onChoose: (name: string) => void;
  onCancel: (name: string) => void;
  onRetry: () => void;
}

function PackOption(props: {
  option: PackOptionView;
  online: boolean;
  onChoose: () => void;
  onCancel: () => void;
}) {
  const { t, locale } = useI18n();
  const { option } = props;
  const titleId = `pack-option-${option.name}`;
  const { progress } = option;
  return (
    <article
      class={option.active ? 'pack-card pack-option active' : 'pack-card pack-option'}
      data-testid="pack-option"
      data-model={option.name}
      aria-labelledby={titleId}
    >
      <header class="pack-head">
        <h3 id={titleId}>{option.title}</h3>
        {option.active && <span class="badge">{t('packs.active')}</span>}
      </header>
      {option.description && <p class="pack-description">{option.description}</p>}
      <p class="pack-description">
        <PackCoverage count={option.speciesCount} species={option.species} />
      </p>
      {option.sure && <PackQuality sure={option.sure} />}
      {progress ? (
        <PackProgress
          loaded={progress.loaded}
          total={progress.total}
          label={option.title}
          text={
            progress.total > 0 && progress.loaded < progress.total
              ? t('packChoice.downloading', {
                  loaded: formatBytes(progress.loaded, locale),
                  total: formatBytes(progress.total, locale),
                })
              : t('packChoice.preparing')
          }
          onCancel={props.onCancel}
        />
      ) : (
        <div class="pack-option-foot">
          <span class="pack-option-size">
            {option.installed
              ? t('packChoice.onDevice')
              : t('packChoice.size', { size: formatBytes(option.sizeBytes, locale) })}
          </span>
          {!option.active && (
            <button
              type="button"
              class={option.installed ? undefined : 'primary'}
              data-testid="choose-pack"
              aria-describedby={titleId}
              disabled={!option.installed && !props.online}
              onClick={props.onChoose}
            >
              {option.installed ? t('packChoice.use') : t('packs.download')}
            </button>
          )}
        </div>
      )}
      {option.error && (
        <p class="pack-error" role="alert" data-testid="pack-error">
          {option.error}
        </p>
      )}
    </article>
  );
}

/**
 * The choice of waters: every pack with what it covers (species, examples, size), to download or
 * switch to. The first start shows it instead of silently installing a default; later it opens
 * from the pack bar of the Identify screen. Installed packs switch offline; others download with
 * progress and cancel.
 */
export function PackChoice(props: PackChoiceProps) {
  const { t } = useI18n();
  const { options, registry } = props;
  const titleId = `${props.id}-title`;
  return (
    <section id={props.id} class="pack-choice" data-testid="pack-choice" aria-labelledby={titleId}>
      <h2 id={titleId}>{t('packChoice.title')}</h2>
      {props.first && <p class="pack-choice-intro">{t('packChoice.intro')}</p>}
      {registry === 'loading' && options.length === 0 && (
        <p class="muted" role="status">
          {t('packs.loading')}
        </p>
      )}
      {registry === 'unreachable' && (
        <p class="notice" role="status" data-testid="pack-choice-offline">
          {options.length > 0 ? t('packChoice.offline') : t('error.no-pack-offline')}{' '}
          <button
            type="button"
            class="link-button"
            disabled={!props.online}
            onClick={props.onRetry}
          >
            {t('packChoice.retry')}
          </button>
        </p>
      )}
      {registry === 'ready' && options.length === 0 && (
        <p class="notice" role="status">
          {t('packChoice.none')}
        </p>
      )}
      <ul class="pack-options">
        {options.map((option) => (
          <li key={option.name}>
            <PackOption
              option={option}
              online={props.online}
              onChoose={() => props.onChoose(option.name)}
              onCancel={() => props.onCancel(option.name)}
            />
          </li>
        ))}
      </ul>
    </section>
  );
}
