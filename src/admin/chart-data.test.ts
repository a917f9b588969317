import { describe, expect, it } from 'vitest';
import type { StatsResponse, VersionStats } from '../../shared/stats';
import {
  confidenceDistribution,
  daysBetween,
  disagreementBySpecies,
  MAX_SPECIES_SERIES,
  speciesOverTime,
} from './chart-data';

function version(overrides: Partial<VersionStats>): VersionStats {
  return {
    model: 'fish',
    version: 3,
    predictions: 0,
    notSure: 0,
    notSureRate: null,
    perDay: [],
    confidence: { binStarts: [0, 0.25, 0.5, 0.75], counts: [0, 0, 0, 0] },
    feedback: { withFeedback: 0, disagreements: 0, disagreementRate: null, perSpecies: [] },
    ...overrides,
  };
}

const window = { model: null, from: '2026-06-01T00:00:00.000Z', to: '2026-06-04T00:00:00.000Z' };

describe('chart data', () => {
  it('lists every UTC day of the window, the end exclusive', () => {
    expect(daysBetween(window.from, window.to)).toEqual(['2026-06-01', '2026-06-02', '2026-06-03']);
  });

  it('aligns species counts on every day of the window, with 0 on days without predictions', () => {
    const v = version({
      perDay: [
        { day: '2026-06-01', species: 'pike', count: 2 },
        { day: '2026-06-03', species: 'pike', count: 1 },
        { day: '2026-06-03', species: 'perch', count: 5 },
      ],
    });
    const series = speciesOverTime({ ...window, versions: [v] }, v, 'other');
    expect(series.x).toEqual([
      Date.parse('2026-06-01') / 1000,
      Date.parse('2026-06-02') / 1000,
      Date.parse('2026-06-03') / 1000,
    ]);
    expect(series.series).toEqual([
      { label: 'perch', values: [0, 0, 5] },
      { label: 'pike', values: [2, 0, 1] },
    ]);
  });

  it('sums the least frequent species into one "other" series so the chart stays legible', () => {
    const perDay = Array.from({ length: MAX_SPECIES_SERIES + 3 }, (_, i) => ({
      day: '2026-06-02',
      species: `s${i}`,
      count: 100 - i,
    }));
    const v = version({ perDay });
    const { series } = speciesOverTime({ ...window, versions: [v] }, v, 'other');
    expect(series).toHaveLength(MAX_SPECIES_SERIES);
    const other = series.at(-1)!;
    expect(other.label).toBe('other');
    const hidden = perDay.slice(MAX_SPECIES_SERIES - 1).reduce((sum, c) => sum + c.count, 0);
    expect(other.values).toEqual([0, hidden, 0]);
  });

  it('gives each version’s confidence bins as shares of its own predictions', () => {
    const stats: StatsResponse = {
      ...window,
      versions: [
        version({
          version: 3,
          predictions: 4,
          confidence: { binStarts: [0, 0.25, 0.5, 0.75], counts: [1, 1, 0, 2] },
        }),
        version({ version: 4, predictions: 0 }),
      ],
    };
    const data = confidenceDistribution(stats);
    expect(data.categories).toEqual(['0.0–0.3', '0.3–0.5', '0.5–0.8', '0.8–1.0']);
    expect(data.series).toEqual([
      { label: 'fish v3', values: [0.25, 0.25, 0, 0.5] },
      { label: 'fish v4', values: [null, null, null, null] },
    ]);
  });

  it('puts disagreement rates per species side by side per version, null where a version has no feedback', () => {
    const rate = (species: string, withFeedback: number, disagreements: number) => ({
      species,
      withFeedback,
      disagreements,
      disagreementRate: disagreements / withFeedback,
    });
    const stats: StatsResponse = {
      ...window,
      versions: [
        version({
          version: 3,
          feedback: {
            withFeedback: 6,
            disagreements: 3,
            disagreementRate: 0.5,
            perSpecies: [rate('pike', 4, 1), rate('bream', 2, 2)],
          },
        }),
        version({
          version: 4,
          feedback: {
            withFeedback: 2,
            disagreements: 0,
            disagreementRate: 0,
            perSpecies: [rate('pike', 2, 0)],
          },
        }),
      ],
    };
    expect(disagreementBySpecies(stats)).toEqual({
      categories: ['bream', 'pike'],
      series: [
        { label: 'fish v3', values: [1, 0.25] },
        { label: 'fish v4', values: [null, 0] },
      ],
    });
  });
});
