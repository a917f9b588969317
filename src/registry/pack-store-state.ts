/** The pack store's snapshot (src/registry/pack-store.ts), apart from the store for pure code and tests. */
import type { FishlensError } from '../../shared/errors';
import type { ModelSummary } from '../../shared/models-api';
import type { PackRef } from '../../shared/pack';
import type { InstalledModelVersions } from '../storage/model-packs';
import type { PackUpdate } from './installer';

/** A running install of one model. */
export interface RunningInstall {
  version: number;
  loaded: number;
  total: number;
}

/** A snapshot for rendering; replaced (never mutated) on every change. */
export interface PackStoreState {
  /** Whether `installed` was read from storage yet (before that, it is empty but unknown). */
  loaded: boolean;
  installed: InstalledModelVersions[];
  /** The pack the Identify screen uses (the active model's current version). */
  active: PackRef | null;
  autoUpdate: boolean;
  installs: Record<string, RunningInstall>;
  errors: Record<string, FishlensError>;
  registry: ModelSummary[] | null;
  updates: PackUpdate[];
  checking: boolean;
  /** Why the last version check failed (usually `network` when offline). */
  checkError: FishlensError | null;
  /** When the registry last answered a version check (ISO time); null before the first answer. */
  checkedAt: string | null;
}

/** Before storage was read: nothing known yet. */
export const INITIAL_PACK_STORE_STATE: PackStoreState = {
  loaded: false,
  installed: [],
  active: null,
  autoUpdate: false,
  installs: {},
  errors: {},
  registry: null,
  updates: [],
  checking: false,
  checkError: null,
  checkedAt: null,
};
