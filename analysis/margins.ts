/**
 * Practical margins of the metrics: how far two runs may differ on a metric and
 * still count as replicating each other. Each analysis declares them with its
 * metrics (`AnalysisDefinition.margins`), each with the reason for its size,
 * and `curtain compare --margin NAME=VALUE` overrides them.
 *
 * A margin is declared for a metric name, and covers the names below it: the
 * margin of `coldstart.coldMedianMs` is also that of `coldstart.coldMedianMs.m128`
 * and `coldstart.coldMedianMs.python` unless those declare their own.
 */
import { fmt } from './format';

export type Margin =
  /** B / A within [1 / (1 + within), 1 + within]; tested on the log scale. For quantities that are positive by nature. */
  | { readonly kind: 'ratio'; readonly within: number; readonly reason: string }
  /** |B − A| ≤ within, in the metric's unit. For fractions, correlations, differences, counts that may be 0. */
  | { readonly kind: 'absolute'; readonly within: number; readonly reason: string }
  /** Any difference matters (yes/no answers; counts where one unit changes the conclusion). */
  | { readonly kind: 'exact'; readonly reason: string };

/** The margins an analysis declares, by metric name (covering the names below it). */
export type MetricMargins = Readonly<Record<string, Margin>>;

export function ratioMargin(within: number, reason: string): Margin {
  return { kind: 'ratio', within, reason };
}

export function absoluteMargin(within: number, reason: string): Margin {
  return { kind: 'absolute', within, reason };
}

export function exactMargin(reason: string): Margin {
  return { kind: 'exact', reason };
}

export interface ResolvedMargin {
  margin: Margin;
  /** The name it was declared (or overridden) for: the metric itself or a name above it. */
  declaredFor: string;
  source: 'declared' | 'override';
}

/** The margin of a metric: its own, else that of the nearest name above it; overrides first at each level. */
export function resolveMargin(name: string, declared: MetricMargins, overrides: MetricMargins = {}): ResolvedMargin | null {
  // A latency phase of a metric (`coldstart.coldMedianMs@task`, experiments/latency-phase.ts) is
  // first its own name, then shares the margin of the metric it is a phase of.
  const at = name.indexOf('@');
  if (at > 0) {
    const own = Object.hasOwn(overrides, name) ? { margin: overrides[name]!, source: 'override' as const } : Object.hasOwn(declared, name) ? { margin: declared[name]!, source: 'declared' as const } : null;
    return own ? { ...own, declaredFor: name } : resolveMargin(name.slice(0, at), declared, overrides);
  }
  for (let key: string | null = name; key; key = parentName(key)) {
    if (Object.hasOwn(overrides, key)) return { margin: overrides[key]!, declaredFor: key, source: 'override' };
    if (Object.hasOwn(declared, key)) return { margin: declared[key]!, declaredFor: key, source: 'declared' };
  }
  return null;
}

function parentName(name: string): string | null {
  const dot = name.lastIndexOf('.');
  // `study.metric` is the shortest metric name; `study` alone names no metric.
  return dot > 0 && name.indexOf('.') < dot ? name.slice(0, dot) : null;
}

/** "±25 % (ratio 0.8–1.25)", "±0.05 fraction", "exact". */
export function describeMargin(margin: Margin, unit = ''): string {
  switch (margin.kind) {
    case 'ratio':
      return `ratio ${fmt(1 / (1 + margin.within))}–${fmt(1 + margin.within)} (±${fmt(margin.within * 100)} %)`;
    case 'absolute':
      return `±${fmt(margin.within)}${unit && unit !== 'fraction' ? ` ${unit}` : ''}`;
    case 'exact':
      return 'exact';
  }
}

/**
 * Parses a `--margin` value: `NAME=25%` (ratio), `NAME=0.05` (absolute, in the
 * metric's unit) or `NAME=exact`; `{ error }` saying what is wrong otherwise.
 */
export function parseMarginOverride(text: string): { name: string; margin: Margin } | { error: string } {
  const match = /^([A-Za-z][\w-]*(?:\.[\w-]+)+(?:@[a-z-]+)?)=(.+)$/.exec(text);
  if (!match) return { error: `"${text}" is not NAME=VALUE with a metric name such as coldstart.warmMedianMs` };
  const [, name, value] = match as unknown as [string, string, string];
  const reason = `set on the command line (--margin ${text})`;
  if (value === 'exact') return { name, margin: exactMargin(reason) };
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(value);
  if (percent) {
    const within = Number(percent[1]) / 100;
    if (!(within > 0)) return { error: `${name}: a ratio margin must be above 0 %` };
    return { name, margin: ratioMargin(within, reason) };
  }
  if (/^\d+(?:\.\d+)?(?:e[+-]?\d+)?$/i.test(value)) {
    const within = Number(value);
    if (!(within > 0) || !Number.isFinite(within)) return { error: `${name}: an absolute margin must be a positive number` };
    return { name, margin: absoluteMargin(within, reason) };
  }
  return { error: `${name}: "${value}" is not a margin (write 25% for a ratio, 0.05 for an absolute margin in the metric's unit, or exact)` };
}
