/**
 * The Identify screen's mapping from app state to what its parts show: the answer card's view of a
 * classification, the pack choice's options, the pack in use, and the model's readiness.
 */
import { errorCode, FishlensError } from '../../shared/errors';
import type { Label } from '../../shared/pack';
import type { Classification } from '../classifier/types';
import type { ActivePackState } from '../hooks/use-active-pack';
import type { Translate } from '../i18n';
import { errorMessage } from '../i18n/errors';
import { packFacts } from '../registry/pack-cards';
import type { PackStoreState } from '../registry/pack-store';
import type { ModelState } from '../ui/ModelStatus';
import { packDescription, packTitle } from '../ui/names';
import type { PackOptionView, RegistryState } from '../ui/PackChoice';
import type { OtherPack, PredictionView } from '../ui/PredictionCard';

/** The answer card's view of a classification: the worker's decision with each label's words. */
export function toPredictionView(
  classification: Classification,
  labels: readonly Label[],
  seq: number,
  details: string,
): PredictionView {
  const { decision } = classification;
  return {
    verdict: decision.verdict,
    ranked: decision.ranked.flatMap(({ index, probability }) => {
      const label = labels[index];
      return label ? [{ label, probability }] : [];
    }),
    pack: classification.model,
    technical: { backend: classification.backend, details, latencyMs: classification.latencyMs },
    seq,
  };
}

/**
 * Every pack, registry's and installed: the one in use first, then installed ones, then the rest.
 * Registry versions the app cannot run (`unusable`) are not offered.
 */
export function packOptions(state: PackStoreState, locale: string, t: Translate): PackOptionView[] {
  const names = [
    ...new Set([
      ...state.installed.map((i) => i.model.name),
      ...(state.registry ?? []).filter((m) => !m.unusable).map((m) => m.name),
    ]),
  ];
  const options = names.map((name): PackOptionView => {
    const facts = packFacts(state, name);
    const installed = facts.local !== undefined;
    const install = state.installs[name];
    const error = state.errors[name];
    return {
      name,
      title: packTitle(facts, locale),
      description: packDescription(facts, locale),
      speciesCount: facts.labelCount,
      species: facts.species,
      sure: facts.sure,
      sizeBytes: facts.sizeBytes,
      installed,
      active: installed && state.active?.name === name,
      progress: install ? { loaded: install.loaded, total: install.total } : null,
      error: error ? errorMessage(t, error) : null,
    };
  });
  const rank = (o: PackOptionView) => (o.active ? 0 : o.installed ? 1 : 2);
  return options.sort((a, b) => rank(a) - rank(b));
}

/** Whether the list of downloadable packs is known (a stale one stays usable offline). */
export function registryState(state: PackStoreState, online: boolean): RegistryState {
  if (state.registry) return 'ready';
  return state.checkError || !online ? 'unreachable' : 'loading';
}

/** The pack in use as people see it: title and species count. */
export function activePackWords(
  state: PackStoreState,
  locale: string,
): { title: string; speciesCount: number } | null {
  if (!state.active) return null;
  const facts = packFacts(state, state.active.name);
  return { title: packTitle(facts, locale), speciesCount: facts.labelCount };
}

/** Packs other than the one in use, to suggest for a fish it does not know. */
export function otherPacks(options: PackOptionView[]): OtherPack[] {
  return options
    .filter((o) => !o.active)
    .map(({ name, title, speciesCount }) => ({ name, title, speciesCount }));
}

export function modelState(status: ActivePackState, t: Translate): ModelState {
  switch (status.state) {
    case 'loading':
    case 'choose':
      return {
        state: 'loading',
        ...(status.state === 'loading' && status.pack
          ? { model: status.pack.name, version: status.pack.version }
          : {}),
      };
    case 'ready': {
      const { classifier } = status;
      return {
        state: 'ready',
        model: classifier.pack.name,
        version: classifier.pack.version,
        backend: classifier.backend,
      };
    }
    case 'error': {
      const code = errorCode(status.error);
      const own = status.error instanceof FishlensError && code !== 'internal';
      const message = own
        ? errorMessage(t, status.error)
        : `${t('identify.model.error')} ${errorMessage(t, status.error)}`;
      return { state: 'error', message };
    }
  }
}
