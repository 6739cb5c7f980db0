/**
 * The chart shapes the reports use, as vega-lite specifications. Data is
 * always summarised before it gets here (CDF points, medians with intervals,
 * per-host totals), so a figure stays small however large the run.
 *
 * Conventions every chart keeps: each series has its own colour and legends
 * list series in natural order (series-colors.ts); every reference line
 * carries its label in the figure (the types require one); axes that count
 * things show whole numbers only; points of empty groups are not drawn, and
 * interval bars only where an interval exists. Marks carry tooltips for the
 * interactive HTML report (ignored in SVG).
 */
import type { TopLevelSpec } from 'vega-lite';
import { seriesColor } from './series-colors';

const WIDTH = 520;
const HEIGHT = 300;

const base = {
  $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
  width: WIDTH,
  height: HEIGHT,
  background: 'white',
  config: { font: 'Helvetica, Arial, sans-serif', axis: { labelFontSize: 11, titleFontSize: 12 }, legend: { labelFontSize: 11 } },
} as const;

type Scale = 'linear' | 'log';

/** A reference line: where it lies, and what it means, written beside it in the figure. */
export interface Reference {
  value: number;
  label: string;
}

const REFERENCE_COLOR = 'firebrick';
const IDENTITY_COLOR = 'grey';

/** Axis settings for an axis that counts things: whole-number ticks only. */
function countAxis(integer: boolean | undefined): object {
  return integer ? { axis: { format: 'd', tickMinStep: 1 } } : {};
}

export interface CdfSeries {
  series: string;
  points: { value: number; p: number }[];
}

/** Empirical CDFs, one step line per series. */
export function cdfChart(o: { title: string; xTitle: string; series: CdfSeries[]; xScale?: Scale }): TopLevelSpec {
  const values = o.series.flatMap((s) => s.points.map((p) => ({ series: s.series, value: p.value, p: p.p })));
  return {
    ...base,
    title: o.title,
    data: { values },
    mark: { type: 'line', interpolate: 'step-after' },
    encoding: {
      x: { field: 'value', type: 'quantitative', title: o.xTitle, scale: { type: o.xScale ?? 'linear' } },
      y: { field: 'p', type: 'quantitative', title: 'fraction ≤ x', scale: { domain: [0, 1] } },
      color: seriesColor(o.series.map((x) => x.series)),
      tooltip: [{ field: 'series', title: 'series' }, { field: 'value', title: o.xTitle, format: '.4~g' }, { field: 'p', title: 'fraction ≤ x', format: '.3f' }],
    },
  } as TopLevelSpec;
}

export interface IntervalPoint {
  x: number | string;
  y: number;
  lower?: number | null;
  upper?: number | null;
  series: string;
  /** Units the point rests on; a point of an empty group (n = 0) is not drawn. */
  n?: number;
}

/**
 * Points joined by lines with optional error bars (95 % intervals), per series;
 * optional dashed reference lines (y = x, or a constant y or x), each labelled.
 */
export function intervalChart(o: {
  title: string;
  xTitle: string;
  yTitle: string;
  points: IntervalPoint[];
  xType?: 'quantitative' | 'ordinal';
  xScale?: Scale;
  yScale?: Scale;
  /** Counts on the axis: whole-number ticks. */
  integerX?: boolean;
  integerY?: boolean;
  /** Label of a dashed y = x line, e.g. "one instance per request". */
  identityLine?: string;
  ruleX?: Reference | null;
  ruleY?: Reference | null;
}): TopLevelSpec {
  const points = o.points.filter((p) => Number.isFinite(p.y) && p.n !== 0);
  const xType = o.xType ?? 'quantitative';
  const x = {
    field: 'x',
    type: xType,
    title: o.xTitle,
    ...(xType === 'quantitative' ? { scale: o.xScale === 'log' ? { type: 'log' } : { type: 'linear', zero: false } } : { sort: null }),
    ...countAxis(o.integerX),
  };
  const y = { field: 'y', type: 'quantitative', title: o.yTitle, scale: o.yScale === 'log' ? { type: 'log' } : { type: 'linear', zero: true }, ...countAxis(o.integerY) };
  const color = seriesColor(points.map((p) => p.series));
  const tooltip = [
    { field: 'series', title: 'series' },
    { field: 'x', title: o.xTitle },
    { field: 'y', title: o.yTitle, format: '.4~g' },
    { field: 'lower', title: '95 % CI from', format: '.4~g' },
    { field: 'upper', title: '95 % CI to', format: '.4~g' },
    { field: 'n', title: 'n' },
  ];
  const layers: object[] = [
    {
      // An interval bar only where there is an interval: both bounds, apart. Drawn first, under the points.
      transform: [{ filter: 'isValid(datum.lower) && isValid(datum.upper) && datum.upper > datum.lower' }],
      mark: { type: 'rule' },
      encoding: { x, y: { field: 'lower', type: 'quantitative' }, y2: { field: 'upper' }, color, tooltip },
    },
    { mark: { type: 'line', point: true }, encoding: { x, y, color, tooltip } },
  ];
  const numericX = points.filter((p) => typeof p.x === 'number').map((p) => p.x as number);
  if (o.identityLine && numericX.length > 0) {
    const top = Math.max(...numericX);
    layers.push(...identityLayers(0, top, o.identityLine));
  }
  if (o.ruleY) layers.push(...referenceLayers('y', o.ruleY));
  if (o.ruleX) layers.push(...referenceLayers('x', o.ruleX));
  return { ...base, title: o.title, data: { values: points }, layer: layers } as TopLevelSpec;
}

/** A dashed reference line across the plot at a constant x or y, with its label written beside it. */
function referenceLayers(axis: 'x' | 'y', reference: Reference): object[] {
  const data = { values: [{ v: reference.value, label: reference.label }] };
  const position = { field: 'v', type: 'quantitative' };
  return [
    { data, mark: { type: 'rule', strokeDash: [6, 3], color: REFERENCE_COLOR }, encoding: { [axis]: position } },
    {
      data,
      mark:
        axis === 'y'
          ? { type: 'text', x: 'width', align: 'right', baseline: 'bottom', dy: -3, color: REFERENCE_COLOR, fontSize: 11 }
          : { type: 'text', y: 0, align: 'left', baseline: 'top', dx: 4, dy: 2, color: REFERENCE_COLOR, fontSize: 11 },
      encoding: { [axis]: position, text: { field: 'label' } },
    },
  ];
}

/** The dashed y = x line from `from` to `to`, labelled at its upper end. */
function identityLayers(from: number, to: number, label: string): object[] {
  const x = { field: 'x', type: 'quantitative' };
  const y = { field: 'y', type: 'quantitative' };
  return [
    { data: { values: [{ x: from, y: from }, { x: to, y: to }] }, mark: { type: 'line', strokeDash: [4, 4], color: IDENTITY_COLOR }, encoding: { x, y } },
    { data: { values: [{ x: to, y: to, label }] }, mark: { type: 'text', align: 'right', baseline: 'bottom', dx: -4, dy: -4, color: IDENTITY_COLOR, fontSize: 11 }, encoding: { x, y, text: { field: 'label' } } },
  ];
}

export interface ScatterPoint {
  x: number;
  y: number;
  series: string;
}

/** A scatter plot with an optional fitted line y = intercept + slope·x drawn over the x range, labelled. */
export function scatterChart(o: {
  title: string;
  xTitle: string;
  yTitle: string;
  points: ScatterPoint[];
  fit?: { intercept: number; slope: number; label: string } | null;
  xScale?: Scale;
  yScale?: Scale;
  /** Label of a dashed y = x line, e.g. "work = billed time". */
  identityLine?: string;
}): TopLevelSpec {
  const x = { field: 'x', type: 'quantitative', title: o.xTitle, scale: o.xScale === 'log' ? { type: 'log' } : { type: 'linear', zero: false } };
  const y = { field: 'y', type: 'quantitative', title: o.yTitle, scale: o.yScale === 'log' ? { type: 'log' } : { type: 'linear', zero: false } };
  const tooltip = [{ field: 'series', title: 'series' }, { field: 'x', title: o.xTitle, format: '.4~g' }, { field: 'y', title: o.yTitle, format: '.4~g' }];
  const layers: object[] = [{ mark: { type: 'point', filled: true, opacity: 0.6 }, encoding: { x, y, color: seriesColor(o.points.map((p) => p.series)), tooltip } }];
  const xs = o.points.map((p) => p.x);
  if (o.fit && xs.length > 0 && Number.isFinite(o.fit.slope)) {
    const lo = Math.min(...xs);
    const hi = Math.max(...xs);
    const ends = [lo, hi].map((v) => ({ x: v, y: o.fit!.intercept + o.fit!.slope * v, label: o.fit!.label }));
    const fx = { field: 'x', type: 'quantitative' };
    const fy = { field: 'y', type: 'quantitative' };
    layers.push(
      { data: { values: ends }, mark: { type: 'line', color: 'black' }, encoding: { x: fx, y: fy } },
      { data: { values: [ends[1]] }, mark: { type: 'text', align: 'right', baseline: 'bottom', dx: -4, dy: -4, fontSize: 11 }, encoding: { x: fx, y: fy, text: { field: 'label' } } },
    );
  }
  if (o.identityLine && xs.length > 0) {
    const lo = Math.min(...xs, ...o.points.map((p) => p.y));
    const hi = Math.max(...xs, ...o.points.map((p) => p.y));
    layers.push(...identityLayers(lo, hi, o.identityLine));
  }
  return { ...base, title: o.title, data: { values: o.points }, layer: layers } as TopLevelSpec;
}

export interface BarSegment {
  category: string;
  value: number;
  /** Stack segments and colour by this. */
  segment: string;
}

/** Stacked bars per category (in the order given), with an optional labelled horizontal reference line. */
export function stackedBarChart(o: { title: string; xTitle: string; yTitle: string; segments: BarSegment[]; ruleY?: Reference | null; segmentTitle?: string; integerY?: boolean }): TopLevelSpec {
  const order = [...new Set(o.segments.map((s) => s.category))];
  const layers: object[] = [
    {
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'category', type: 'ordinal', title: o.xTitle, sort: order },
        y: { field: 'value', type: 'quantitative', title: o.yTitle, stack: 'zero', ...countAxis(o.integerY) },
        color: seriesColor(o.segments.map((s) => s.segment), 'segment', o.segmentTitle ?? null),
        tooltip: [{ field: 'category', title: o.xTitle }, { field: 'segment', title: o.segmentTitle ?? 'segment' }, { field: 'value', title: o.yTitle }],
      },
    },
  ];
  if (o.ruleY) layers.push(...referenceLayers('y', o.ruleY));
  return { ...base, title: o.title, data: { values: o.segments }, layer: layers } as TopLevelSpec;
}

/** A survival curve (step line) with its pointwise 95 % band. */
export function survivalChart(o: { title: string; xTitle: string; steps: { time: number; survival: number; lower: number; upper: number }[] }): TopLevelSpec {
  const values = [{ time: 0, survival: 1, lower: 1, upper: 1 }, ...o.steps];
  return {
    ...base,
    title: o.title,
    data: { values },
    layer: [
      {
        mark: { type: 'area', interpolate: 'step-after', opacity: 0.25, color: 'steelblue' },
        encoding: {
          x: { field: 'time', type: 'quantitative', title: o.xTitle },
          y: { field: 'lower', type: 'quantitative', title: 'fraction of instances alive', scale: { domain: [0, 1] } },
          y2: { field: 'upper' },
        },
      },
      {
        mark: { type: 'line', interpolate: 'step-after', color: 'steelblue' },
        encoding: {
          x: { field: 'time', type: 'quantitative' },
          y: { field: 'survival', type: 'quantitative' },
          tooltip: [{ field: 'time', title: o.xTitle, format: '.4~g' }, { field: 'survival', title: 'fraction alive', format: '.3f' }, { field: 'lower', format: '.3f' }, { field: 'upper', format: '.3f' }],
        },
      },
      ...referenceLayers('y', { value: 0.5, label: 'half alive: the median lifetime' }),
    ],
  } as TopLevelSpec;
}
