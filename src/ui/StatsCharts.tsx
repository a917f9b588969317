/**
 * The dashboard's pictures, drawn with uPlot (a ~50 KB canvas charting library): predictions
 * per species over time, the confidence distribution per model version, and users' disagreement
 * per species. Components receive prepared columns (src/admin/chart-data.ts); they do no I/O.
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { CategorySeries, TimeSeries } from '../admin/chart-data';

const PALETTE = [
  '#0b5f6e',
  '#d1495b',
  '#edae49',
  '#00798c',
  '#6a4c93',
  '#30638e',
  '#8ab17d',
  '#e76f51',
];
const color = (i: number) => PALETTE[i % PALETTE.length]!;
const HEIGHT = 240;

/** A uPlot chart that fills its container's width and is rebuilt when its data changes. */
function UPlotChart(props: {
  options: Omit<uPlot.Options, 'width' | 'height'>;
  data: uPlot.AlignedData;
  label: string;
  testId: string;
}) {
  const target = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = target.current;
    if (!element) return;
    const chart = new uPlot(
      { ...props.options, width: element.clientWidth || 320, height: HEIGHT },
      props.data,
      element,
    );
    const resize = new ResizeObserver(() =>
      chart.setSize({ width: element.clientWidth || 320, height: HEIGHT }),
    );
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [props.options, props.data]);
  return (
    <figure class="chart" data-testid={props.testId}>
      <figcaption>{props.label}</figcaption>
      <div ref={target} role="img" aria-label={props.label} />
    </figure>
  );
}

/** Category axis: one tick per category index, labelled with its name. */
function categoryAxes(categories: string[], yLabel: string, percent: boolean): uPlot.Axis[] {
  return [
    {
      splits: () => categories.map((_, i) => i),
      values: (_u, splits) => splits.map((i) => categories[i] ?? ''),
      rotate: categories.length > 6 ? -30 : 0,
      size: categories.length > 6 ? 70 : 40,
    },
    {
      label: yLabel,
      values: (_u, splits) => splits.map((v) => (percent ? `${Math.round(v * 100)}%` : String(v))),
    },
  ];
}

/** Predictions per day, one line per species. */
export function SpeciesOverTimeChart(props: { data: TimeSeries; label: string; yLabel: string }) {
  const { data } = props;
  const options = {
    scales: { x: { time: true } },
    series: [
      {},
      ...data.series.map((s, i) => ({
        label: s.label,
        stroke: color(i),
        width: 2,
        points: { show: data.x.length < 40 },
      })),
    ],
    axes: [{}, { label: props.yLabel }],
  } satisfies Omit<uPlot.Options, 'width' | 'height'>;
  return (
    <UPlotChart
      testId="chart-species"
      label={props.label}
      options={options}
      data={[data.x, ...data.series.map((s) => s.values)]}
    />
  );
}

/**
 * A chart of per-category shares (0–1), one series per model version: `style` says how version
 * `i` of `count` draws its series.
 */
function CategoryShareChart(props: {
  data: CategorySeries;
  label: string;
  yLabel: string;
  testId: string;
  style: (i: number, count: number) => Partial<uPlot.Series>;
  digits: number;
}) {
  const { data } = props;
  const options = {
    scales: {
      x: { time: false, range: [-0.5, data.categories.length - 0.5] },
      y: { range: [0, 1] },
    },
    series: [
      {},
      ...data.series.map((s, i) => ({
        label: s.label,
        stroke: color(i),
        ...props.style(i, data.series.length),
        value: (_u: uPlot, v: number | null) =>
          v === null ? '—' : `${(v * 100).toFixed(props.digits)}%`,
      })),
    ],
    axes: categoryAxes(data.categories, props.yLabel, true),
  } satisfies Omit<uPlot.Options, 'width' | 'height'>;
  return (
    <UPlotChart
      testId={props.testId}
      label={props.label}
      options={options}
      data={[data.categories.map((_, i) => i), ...data.series.map((s) => s.values)]}
    />
  );
}

/** Share of predictions per confidence bin: bars for one version, a line per version for several. */
export function ConfidenceChart(props: { data: CategorySeries; label: string; yLabel: string }) {
  return (
    <CategoryShareChart
      {...props}
      testId="chart-confidence"
      digits={1}
      style={(i, count) => ({
        fill: `${color(i)}${count === 1 ? '99' : '22'}`,
        width: count === 1 ? 1 : 2,
        // Bins are centred on their labels: bars, or a line through the bin centres.
        ...(count === 1 ? { paths: uPlot.paths.bars!({ size: [0.8, 64] }) } : {}),
      })}
    />
  );
}

/** Disagreement rate per predicted species, bars for one version or dots for several. */
export function DisagreementChart(props: { data: CategorySeries; label: string; yLabel: string }) {
  return (
    <CategoryShareChart
      {...props}
      testId="chart-disagreement"
      digits={0}
      style={(i, count) => ({
        fill: count === 1 ? `${color(i)}99` : undefined,
        width: count === 1 ? 1 : 0,
        // One version: bars. Several: a dot per version, which stays readable without grouping.
        paths: count === 1 ? uPlot.paths.bars!({ size: [0.6, 64] }) : () => null,
        points: { show: count !== 1, size: 9, fill: color(i) },
      })}
    />
  );
}
