/**
 * The chart shapes the reports use, as vega-lite specifications. Data is
 * always summarised before it gets here (CDF points, medians with intervals,
 * per-host totals), so a figure stays small however large the run.
 */
import type { TopLevelSpec } from 'vega-lite';

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
      color: { field: 'series', type: 'nominal', title: null },
    },
  } as TopLevelSpec;
}

export interface IntervalPoint {
  x: number | string;
  y: number;
  lower?: number | null;
  upper?: number | null;
  series: string;
}

/**
 * Points joined by lines with optional error bars (95 % intervals), per series;
 * optional dashed reference lines (y = x, or a constant y or x).
 */
export function intervalChart(o: {
  title: string;
  xTitle: string;
  yTitle: string;
  points: IntervalPoint[];
  xType?: 'quantitative' | 'ordinal';
  xScale?: Scale;
  yScale?: Scale;
  identityLine?: boolean;
  ruleX?: number | null;
  ruleY?: number | null;
}): TopLevelSpec {
  const xType = o.xType ?? 'quantitative';
  const x = { field: 'x', type: xType, title: o.xTitle, ...(xType === 'quantitative' ? { scale: o.xScale === 'log' ? { type: 'log' } : { type: 'linear', zero: false } } : { sort: null }) };
  const y = { field: 'y', type: 'quantitative', title: o.yTitle, scale: o.yScale === 'log' ? { type: 'log' } : { type: 'linear', zero: true } };
  const color = { field: 'series', type: 'nominal', title: null };
  const layers: object[] = [
    { mark: { type: 'line', point: true }, encoding: { x, y, color } },
    {
      transform: [{ filter: 'isValid(datum.lower) && isValid(datum.upper)' }],
      mark: { type: 'rule' },
      encoding: { x, y: { field: 'lower', type: 'quantitative' }, y2: { field: 'upper' }, color },
    },
  ];
  const numericX = o.points.filter((p) => typeof p.x === 'number').map((p) => p.x as number);
  if (o.identityLine && numericX.length > 0) {
    const top = Math.max(...numericX);
    layers.push({
      data: { values: [{ x: 0, y: 0 }, { x: top, y: top }] },
      mark: { type: 'line', strokeDash: [4, 4], color: 'grey' },
      encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
    });
  }
  if (typeof o.ruleY === 'number') layers.push(ruleLayer('y', o.ruleY));
  if (typeof o.ruleX === 'number') layers.push(ruleLayer('x', o.ruleX));
  return { ...base, title: o.title, data: { values: o.points }, layer: layers } as TopLevelSpec;
}

function ruleLayer(axis: 'x' | 'y', value: number): object {
  return {
    data: { values: [{ v: value }] },
    mark: { type: 'rule', strokeDash: [6, 3], color: 'firebrick' },
    encoding: { [axis]: { field: 'v', type: 'quantitative' } },
  };
}

export interface ScatterPoint {
  x: number;
  y: number;
  series: string;
}

/** A scatter plot with an optional fitted line y = intercept + slope·x drawn over the x range. */
export function scatterChart(o: {
  title: string;
  xTitle: string;
  yTitle: string;
  points: ScatterPoint[];
  fit?: { intercept: number; slope: number; label: string } | null;
  xScale?: Scale;
  yScale?: Scale;
  identityLine?: boolean;
}): TopLevelSpec {
  const x = { field: 'x', type: 'quantitative', title: o.xTitle, scale: o.xScale === 'log' ? { type: 'log' } : { type: 'linear', zero: false } };
  const y = { field: 'y', type: 'quantitative', title: o.yTitle, scale: o.yScale === 'log' ? { type: 'log' } : { type: 'linear', zero: false } };
  const layers: object[] = [{ mark: { type: 'point', filled: true, opacity: 0.6 }, encoding: { x, y, color: { field: 'series', type: 'nominal', title: null } } }];
  const xs = o.points.map((p) => p.x);
  if (o.fit && xs.length > 0 && Number.isFinite(o.fit.slope)) {
    const lo = Math.min(...xs);
    const hi = Math.max(...xs);
    layers.push({
      data: { values: [lo, hi].map((v) => ({ x: v, y: o.fit!.intercept + o.fit!.slope * v, series: o.fit!.label })) },
      mark: { type: 'line', color: 'black' },
      encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
    });
  }
  if (o.identityLine && xs.length > 0) {
    const lo = Math.min(...xs, ...o.points.map((p) => p.y));
    const hi = Math.max(...xs, ...o.points.map((p) => p.y));
    layers.push({
      data: { values: [{ x: lo, y: lo }, { x: hi, y: hi }] },
      mark: { type: 'line', strokeDash: [4, 4], color: 'grey' },
      encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
    });
  }
  return { ...base, title: o.title, data: { values: o.points }, layer: layers } as TopLevelSpec;
}

export interface BarSegment {
  category: string;
  value: number;
  /** Stack segments and colour by this. */
  segment: string;
}

/** Stacked bars per category (in the order given), with an optional horizontal reference line. */
export function stackedBarChart(o: { title: string; xTitle: string; yTitle: string; segments: BarSegment[]; ruleY?: number | null; segmentTitle?: string }): TopLevelSpec {
  const order = [...new Set(o.segments.map((s) => s.category))];
  const layers: object[] = [
    {
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'category', type: 'ordinal', title: o.xTitle, sort: order },
        y: { field: 'value', type: 'quantitative', title: o.yTitle, stack: 'zero' },
        color: { field: 'segment', type: 'nominal', title: o.segmentTitle ?? null },
      },
    },
  ];
  if (typeof o.ruleY === 'number') layers.push(ruleLayer('y', o.ruleY));
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
        encoding: { x: { field: 'time', type: 'quantitative' }, y: { field: 'survival', type: 'quantitative' } },
      },
      ruleLayer('y', 0.5),
    ],
  } as TopLevelSpec;
}
