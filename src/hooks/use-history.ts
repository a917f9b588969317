/**
 * History's view of the prediction log: each prediction with the species of the pack version that
 * made it (kept in the log, so names survive a pack update or deletion), and the last deletion,
 * kept in memory so it can be undone.
 */
import { useEffect, useState } from 'preact/hooks';
import type { PackRef } from '../../shared/pack';
import {
  clearHistory,
  deletePredictions,
  undoDelete,
  type PredictionLog,
  type RemovedPrediction,
} from '../sync';
import type { HistoryEntry } from '../ui/HistoryList';
import { useLog } from './use-log';

/** How many predictions History lists. */
const SHOWN = 200;

/** What History shows: the newest predictions, and how many there are in all. */
export interface HistoryView {
  items: HistoryEntry[];
  total: number;
  /** Predictions not on the server: waiting to be sent, or not accepted. */
  unsent: number;
}

async function readHistory(log: PredictionLog): Promise<HistoryView> {
  const [entries, counts] = await Promise.all([log.recent(SHOWN), log.counts()]);
  const key = (ref: PackRef) => `${ref.name}@${ref.version}`;
  const refs = new Map(entries.map((e) => [key(e.model), e.model]));
  const species = new Map(
    await Promise.all(
      [...refs].map(async ([k, ref]) => [k, (await log.labels(ref)) ?? []] as const),
    ),
  );
  return {
    items: entries.map((entry) => ({ entry, species: species.get(key(entry.model)) ?? [] })),
    total: counts.pending + counts.synced + counts.rejected,
    unsent: counts.pending + counts.rejected,
  };
}

/** The predictions History lists, newest first, with the totals; null until read. */
export function useHistory(): HistoryView | null {
  return useLog(readHistory);
}

/** One prediction by id with its species; `found: false` once it is known not to be there. */
export function useHistoryEntry(
  id: string,
): { found: true; item: HistoryEntry } | { found: false } | null {
  return useLog(async (log) => {
    const entry = await log.get(id);
    if (!entry) return { found: false } as const;
    return {
      found: true,
      item: { entry, species: (await log.labels(entry.model)) ?? [] },
    } as const;
  }, id);
}

/** What the last deletion removed, until it is undone or forgotten. */
export interface Deletion {
  removed: RemovedPrediction[];
}

let deletion: Deletion | null = null;
const listeners = new Set<() => void>();

function setDeletion(next: Deletion | null): void {
  deletion = next;
  for (const listener of listeners) listener();
}

/** Deletes one prediction from this device; it can be undone until the next deletion. */
export async function deleteHistoryEntry(id: string): Promise<void> {
  const removed = await deletePredictions([id]);
  setDeletion(removed.length > 0 ? { removed } : null);
}

/** Puts the last deleted prediction back. */
export async function undoLastDeletion(): Promise<void> {
  const last = deletion;
  setDeletion(null);
  if (last) await undoDelete(last.removed);
}

/** Forgets the last deletion (its undo offer is closed). */
export function forgetLastDeletion(): void {
  setDeletion(null);
}

/** Deletes the whole History (after the person confirmed it); there is no undo for this. */
export async function clearAllHistory(): Promise<{ removed: number; unsent: number }> {
  setDeletion(null);
  return clearHistory();
}

/** The last deletion that can still be undone. */
export function useLastDeletion(): Deletion | null {
  const [snapshot, setSnapshot] = useState(deletion);
  useEffect(() => {
    const update = () => setSnapshot(deletion);
    listeners.add(update);
    update();
    return () => void listeners.delete(update);
  }, []);
  return snapshot;
}
