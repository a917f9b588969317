/**
 * Connects the domain code to the metrics without it importing prom-client: an observer that
 * ingest calls (the IngestObserver of routes/predictions.ts), and a wrapper that counts the
 * model registry's look-ups and failures around any ModelRegistry.
 */
import type { Logger } from './log.js';
import { UNKNOWN_LABEL, type Metrics } from './metrics.js';
import type { ModelRegistry } from './registry/types.js';

/** What ingest reports about one stored prediction; matches InsertedPrediction in ingest/store.ts. */
export interface IngestedPrediction {
  modelName: string;
  modelVersion: number;
  topLabel: string;
  notSure: boolean;
}

/** The ingest observer that counts stored, duplicate and rejected predictions. */
export interface IngestMetricsObserver {
  /** Resolves once the rows are counted; ingest does not wait for it. */
  inserted(rows: IngestedPrediction[]): Promise<void>;
  duplicates(count: number): void;
  rejected(count: number, reason: string): void;
}

/** The label ids of a published model version, or null when the registry has no such version. */
export interface PackCatalog {
  labelsOf(name: string, version: number): Promise<ReadonlySet<string> | null>;
}

/**
 * The label ids of published versions, asked of the registry once per version: versions are
 * immutable, so an answer is kept for good; "no such version" is asked again after `retryMs`
 * (a version published a moment later), and at most `maxEntries` answers are kept.
 */
export function registryCatalog(
  registry: Pick<ModelRegistry, 'getVersion'>,
  options: { retryMs?: number; maxEntries?: number; now?: () => number } = {},
): PackCatalog {
  const retryMs = options.retryMs ?? 60_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const now = options.now ?? Date.now;
  const known = new Map<string, ReadonlySet<string>>();
  const missing = new Map<string, number>();
  return {
    async labelsOf(name, version) {
      const key = `${name}\u0000${version}`;
      const hit = known.get(key);
      if (hit) return hit;
      if ((missing.get(key) ?? -Infinity) > now()) return null;
      const found = await registry.getVersion(name, version);
      if (known.size + missing.size >= maxEntries) missing.clear();
      if (!found) {
        missing.set(key, now() + retryMs);
        return null;
      }
      const labels = (found.metadata as { labels?: { id?: unknown }[] }).labels ?? [];
      const ids = new Set(labels.flatMap((l) => (typeof l.id === 'string' ? [l.id] : [])));
      if (known.size < maxEntries) known.set(key, ids);
      return ids;
    },
  };
}

/**
 * Counts ingest outcomes. Model names, versions and species come from phones, so a value becomes
 * a label only when the registry knows it (a published version, a label of that version's pack);
 * anything else is counted as `_unknown`. A device cannot add series, so none can crowd out the
 * real versions the not-sure alert watches. Without a catalog every value is `_unknown`.
 */
export function ingestMetricsObserver(
  metrics: Metrics,
  catalog?: PackCatalog,
  log?: Logger,
): IngestMetricsObserver {
  return {
    async inserted(rows) {
      for (const row of rows) {
        let labels: ReadonlySet<string> | null = null;
        try {
          labels = (await catalog?.labelsOf(row.modelName, row.modelVersion)) ?? null;
        } catch (error) {
          // The registry is unreachable: count the prediction, without a version to name.
          log?.debug({ err: error }, 'registry look-up for metric labels failed');
        }
        const model = labels ? row.modelName : UNKNOWN_LABEL;
        const version = labels ? String(row.modelVersion) : UNKNOWN_LABEL;
        metrics.predictionsIngested.inc({ model, version });
        if (row.notSure) metrics.predictionsNotSure.inc({ model, version });
        const species = labels?.has(row.topLabel) ? row.topLabel : UNKNOWN_LABEL;
        metrics.predictionsBySpecies.inc({ model, version, species });
      }
    },
    duplicates(count) {
      if (count > 0) metrics.predictionsDuplicate.inc(count);
    },
    rejected(count, reason) {
      if (count > 0) metrics.predictionsRejected.inc({ reason }, count);
    },
  };
}

/**
 * Wraps a model registry so every look-up is counted and timed, and every thrown error counted
 * as a failure. A `null` answer (no such model) is a successful look-up, not a failure. Writes
 * (publish, setAlias) pass through uncounted: they are admin actions, not traffic.
 */
export function instrumentRegistry(registry: ModelRegistry, metrics: Metrics): ModelRegistry {
  const lookup = async <T>(operation: string, run: () => Promise<T>): Promise<T> => {
    const labels = { registry: registry.kind, operation };
    metrics.registryLookups.inc(labels);
    const end = metrics.registryLookupDuration.startTimer(labels);
    try {
      return await run();
    } catch (error) {
      metrics.registryLookupFailures.inc(labels);
      throw error;
    } finally {
      end();
    }
  };
  return {
    kind: registry.kind,
    description: registry.description,
    listModels: (alias, signal) => lookup('listModels', () => registry.listModels(alias, signal)),
    getVersionByAlias: (name, alias, signal) =>
      lookup('getVersionByAlias', () => registry.getVersionByAlias(name, alias, signal)),
    getVersion: (name, version, signal) =>
      lookup('getVersion', () => registry.getVersion(name, version, signal)),
    headFile: (version, path, signal) =>
      lookup('headFile', () => registry.headFile(version, path, signal)),
    // Counts opening the stream; a failure while the body streams surfaces in the HTTP status.
    openFile: (version, path, options) =>
      lookup('openFile', () => registry.openFile(version, path, options)),
    setAlias: (name, alias, version, signal) => registry.setAlias(name, alias, version, signal),
    publish: (pack, options) => registry.publish(pack, options),
  };
}
