/**
 * Turns the stats answer into the aligned columns the charts plot: predictions per species per
 * day for one version, the confidence distribution of each version, and users' disagreement
 * per species and version. Pure functions, tested without a browser.
 */
import type { StatsResponse, VersionStats } from '../../shared/stats';

/** Plotted species beyond this many are summed into one "other" series, to keep the chart legible. */
export const MAX_SPECIES_SERIES = 8;

/** A name for a version in legends: `fish v3`. */
export function versionLabel(v: Pick<VersionStats, 'model' | 'version'>): string {
  return `${v.model} v${v.version}`;
}

/** Every UTC day from the first to the last day of the window, as `YYYY-MM-DD`. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  const end = Date.parse(to);
  for (let t = Date.parse(from.slice(0, 10)); t < end; t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

/** Columns for a time-series chart: x in Unix seconds (midnight UTC), one y column per series. */
export interface TimeSeries {
  x: number[];
  series: { label: string; values: number[] }[];
}

/**
 * Predictions per day for each species of one version. Days without predictions are 0, not
 * gaps; the most frequent species get their own series and the rest are summed as `other`.
 */
export function speciesOverTime(
  stats: StatsResponse,
  version: VersionStats,
  otherLabel: string,
): TimeSeries {
  const days = daysBetween(stats.from, stats.to);
  const index = new Map(days.map((d, i) => [d, i]));
  const totals = new Map<string, number>();
  for (const cell of version.perDay)
    totals.set(cell.species, (totals.get(cell.species) ?? 0) + cell.count);
  const ranked = [...totals]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([s]) => s);
  const shown =
    ranked.length > MAX_SPECIES_SERIES ? ranked.slice(0, MAX_SPECIES_SERIES - 1) : ranked;
  const columns = new Map(shown.map((s) => [s, new Array<number>(days.length).fill(0)]));
  const other = new Array<number>(days.length).fill(0);
  for (const cell of version.perDay) {
    const i = index.get(cell.day);
    if (i === undefined) continue;
    (columns.get(cell.species) ?? other)[i]! += cell.count;
  }
  const series = [...columns].map(([label, values]) => ({ label, values }));
  if (shown.length < ranked.length) series.push({ label: otherLabel, values: other });
  return { x: days.map((d) => Date.parse(d) / 1000), series };
}

/** Columns for a bar chart over categories: one value column per version. */
export interface CategorySeries {
  categories: string[];
  series: { label: string; values: (number | null)[] }[];
}

/**
 * The share of each version's predictions in each confidence bin (0–1), so versions with very
 * different volumes compare on one axis.
 */
export function confidenceDistribution(stats: StatsResponse): CategorySeries {
  const first = stats.versions[0];
  const starts = first?.confidence.binStarts ?? [];
  const width = starts.length > 0 ? 1 / starts.length : 0;
  return {
    categories: starts.map((s) => `${s.toFixed(1)}–${(s + width).toFixed(1)}`),
    series: stats.versions.map((v) => ({
      label: versionLabel(v),
      values: v.confidence.counts.map((c) => (v.predictions === 0 ? null : c / v.predictions)),
    })),
  };
}

/**
 * Disagreement rate (corrections naming another species ÷ corrections) per predicted species,
 * one series per version; null where a version has no feedback on that species.
 */
export function disagreementBySpecies(stats: StatsResponse): CategorySeries {
  const species = [
    ...new Set(stats.versions.flatMap((v) => v.feedback.perSpecies.map((s) => s.species))),
  ].sort();
  return {
    categories: species,
    series: stats.versions.map((v) => {
      const bySpecies = new Map(v.feedback.perSpecies.map((s) => [s.species, s.disagreementRate]));
      return { label: versionLabel(v), values: species.map((s) => bySpecies.get(s) ?? null) };
    }),
  };
}
