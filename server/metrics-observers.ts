/**
 * Connects the domain code to the metrics without it importing prom-client: an observer that
 * ingest calls (the IngestObserver of routes/predictions.ts), and a wrapper that counts the
 * model registry's look-ups and failures around any ModelRegistry.
 */
import type { Metrics } from './metrics.js';
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
  inserted(rows: IngestedPrediction[]): void;
  duplicates(count: number): void;
  rejected(count: number, reason: string): void;
}

/**
 * Counts ingest outcomes. Model names, versions and species come from phones, so their label
 * values pass through `boundedLabels`: a misbehaving client cannot grow the series without limit.
 */
export function ingestMetricsObserver(metrics: Metrics): IngestMetricsObserver {
  return {
    inserted(rows) {
      for (const row of rows) {
        const [model, version] = metrics.boundedLabels('model', [
          row.modelName,
          String(row.modelVersion),
        ]);
        const labels = { model: model!, version: version! };
        metrics.predictionsIngested.inc(labels);
        if (row.notSure) metrics.predictionsNotSure.inc(labels);
        const [m, v, species] = metrics.boundedLabels('species', [model!, version!, row.topLabel]);
        metrics.predictionsBySpecies.inc({ model: m!, version: v!, species: species! });
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
