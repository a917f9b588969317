/**
 * What the Models screen shows of each pack, derived from one pack store snapshot, so every card
 * is consistent with what is installed and active after any action: facts of the version on the
 * device (not the registry's newer one), what the registry offers, and what the next step is.
 */
import type { FishlensError } from '../../shared/errors';
import type { Label, PackDisplay, SureMetrics } from '../../shared/pack';
import type { PackStoreState, RunningInstall } from './pack-store-state';

/** One pack as the Models screen shows it. */
export interface PackCardFacts {
  name: string;
  display: PackDisplay | undefined;
  description: string;
  labelCount: number;
  /** The species by name, when known: of the version on the device, else the registry's list. */
  species: Pick<Label, 'latin' | 'names'>[];
  sizeBytes: number;
  /**
   * How often it names a species, and how often it is right then, on validation fish: of the
   * version on the device, else of the registry's.
   */
  sure: SureMetrics | undefined;
  installed: { version: number; previous: number | null } | null;
  /** The registry's version; null when not known (never checked, or offline since the page opened). */
  latest: number | null;
  /** The registry's version cannot run in the app (not an image classifier it can run). */
  unusable: boolean;
  /** A newer version than any on the device, one the app can run, is in the registry. */
  canUpdate: boolean;
  /** The download size of the registry's version. */
  latestSizeBytes: number | null;
  active: boolean;
  progress: RunningInstall | null;
  error: FishlensError | null;
}

/**
 * What is known of pack `name` for people: the words, species and numbers of the version on the
 * device when it is installed (never a newer one's it has not downloaded), else what the registry
 * offers. The Models cards and the Identify screen's pack choice both read it.
 */
export function packFacts(state: PackStoreState, name: string) {
  const remote = state.registry?.find((m) => m.name === name);
  const local = state.installed.find((i) => i.model.name === name);
  const metadata = local?.current.metadata;
  return {
    remote,
    local,
    name,
    display: metadata ? metadata.display : remote?.display,
    description: metadata?.description ?? remote?.description ?? '',
    labelCount: metadata?.labels.length ?? remote?.labelCount ?? 0,
    species: metadata?.labels ?? remote?.species ?? [],
    sizeBytes: local?.current.sizeBytes ?? remote?.sizeBytes ?? 0,
    sure: metadata ? metadata.metrics.validation?.sure : remote?.sure,
  };
}

/** One card per pack: the one in use first, then those on the device, then the registry's others. */
export function packCards(state: PackStoreState): PackCardFacts[] {
  const names = [
    ...(state.registry ?? []).map((m) => m.name),
    ...state.installed.map((i) => i.model.name),
  ];
  const cards = [...new Set(names)].map((name): PackCardFacts => {
    const { remote, local, ...facts } = packFacts(state, name);
    const latest = remote?.version ?? null;
    const known = local ? [local.model.current, local.model.previous ?? 0] : [];
    return {
      ...facts,
      installed: local ? { version: local.model.current, previous: local.model.previous } : null,
      latest,
      unusable: remote?.unusable !== undefined,
      canUpdate:
        local !== undefined &&
        latest !== null &&
        !remote?.unusable &&
        known.every((v) => latest > v),
      latestSizeBytes: remote?.sizeBytes ?? null,
      active: local !== undefined && state.active?.name === name,
      progress: state.installs[name] ?? null,
      error: state.errors[name] ?? null,
    };
  });
  const rank = (card: PackCardFacts) => (card.active ? 0 : card.installed ? 1 : 2);
  return cards.sort((a, b) => rank(a) - rank(b));
}

/**
 * The pack Identify uses after `name` is deleted: the same one when `name` is not in use, else
 * the one storage falls back to (the first other installed model by name), or null when none.
 */
export function activeAfterDelete(state: PackStoreState, name: string): string | null {
  if (state.active && state.active.name !== name) return state.active.name;
  const others = state.installed.map((i) => i.model.name).filter((n) => n !== name);
  return others.sort()[0] ?? null;
}
