/**
 * The replication verdict of one metric between two sides of runs (A, the
 * reference, e.g. a published run; B, the reruns), against the metric's
 * practical margin. docs/analysis.md ("Comparing runs") explains the method;
 * in short:
 *
 * - the estimate is the difference of the sides' means of the run values, on
 *   the log scale for ratio margins (so B / A), else in the metric's unit;
 * - its standard error comes from each run's own sampling error (the variance
 *   of the metric's bootstrap replicates, or its 95 % interval) when each side
 *   has one run, and from the spread between runs on the same side when there
 *   are replicates (never below the runs' sampling error), with Student's t on
 *   runs − 2 degrees of freedom;
 * - equivalent: TOST at α (the 1 − 2α interval inside the margin);
 *   different: the 1 − α interval entirely beyond the margin, with Holm's
 *   adjustment over the metrics tested (applied by the caller, compare-runs.ts);
 *   inconclusive: neither, or no test possible (the reason says why).
 *
 * Metrics with no sampling interval (observed counts and extremes) are exact
 * values: with one run per side they are compared with the margin as they are.
 * Yes/no answers are equivalent when every run gives the same one, different
 * when each side is unanimous and the sides disagree.
 */
import { fmt } from '../format';
import { describeMargin, type ResolvedMargin } from '../margins';
import type { Metric } from '../metrics';
import { equivalenceTest, type MarginInterval } from '../stats/equivalence';

export type Verdict = 'equivalent' | 'different' | 'inconclusive';

/** One run's metric, with the label the comparison gives the run (A1, B2, …). */
export interface RunMetric {
  run: string;
  metric: Metric | null;
}

export interface SideSummary {
  runs: number;
  /** The metric's value in each run (null: missing or not measurable). */
  values: (number | boolean | null)[];
  /** The units each run's value rests on (records, instances, …). */
  n: number[];
  /** The side's estimate: mean of the run values (geometric for ratio margins); null when not numeric. */
  mean: number | null;
}

export interface MetricComparison {
  name: string;
  description: string;
  unit: string;
  a: SideSummary;
  b: SideSummary;
  margin: ResolvedMargin | null;
  /** `ratio`: estimate and interval are B / A; `difference`: B − A in the metric's unit. */
  scale: 'ratio' | 'difference' | null;
  estimate: number | null;
  /** The 1 − 2α interval of the estimate (what TOST at α reads); equivalent when inside the margin. */
  interval: [number, number] | null;
  /** Where the uncertainty comes from. */
  basis: 'sampling' | 'replicates' | 'exact' | null;
  /** Degrees of freedom of the t distribution used (null: normal). */
  df: number | null;
  /** Run-to-run standard deviation beyond the runs' sampling error (relative for ratio margins); null without replicates. */
  runToRunSd: number | null;
  pEquivalent: number | null;
  /** p-value of "beyond the margin" before adjustment; null when no test was made (exact values, no test possible). */
  pDifferent: number | null;
  /** After Holm's adjustment over the metrics tested (set by the caller). */
  pDifferentAdjusted: number | null;
  verdict: Verdict;
  reason: string;
}

export interface JudgeOptions {
  alpha: number;
}

export function judgeMetric(name: string, sideA: readonly RunMetric[], sideB: readonly RunMetric[], margin: ResolvedMargin | null, options: JudgeOptions): MetricComparison {
  const all = [...sideA, ...sideB];
  const any = all.find((r) => r.metric)?.metric;
  const summary = (side: readonly RunMetric[], mean: number | null = null): SideSummary => ({
    runs: side.length,
    values: side.map((r) => r.metric?.value ?? null),
    n: side.map((r) => r.metric?.n ?? 0),
    mean,
  });
  const base = {
    name,
    description: any?.description ?? '',
    unit: any?.unit ?? '',
    a: summary(sideA),
    b: summary(sideB),
    margin,
    scale: null,
    estimate: null,
    interval: null,
    basis: null,
    df: null,
    runToRunSd: null,
    pEquivalent: null,
    pDifferent: null,
    pDifferentAdjusted: null,
  } satisfies Omit<MetricComparison, 'verdict' | 'reason'>;
  const inconclusive = (reason: string): MetricComparison => ({ ...base, verdict: 'inconclusive', reason });

  const missing = all.filter((r) => !r.metric).map((r) => r.run);
  if (missing.length > 0) return inconclusive(`${runList(missing)} ${missing.length > 1 ? 'have' : 'has'} no such metric`);
  const unmeasured = all.filter((r) => r.metric!.value === null);
  if (unmeasured.length > 0) {
    const first = unmeasured[0]!;
    return inconclusive(`not measurable in ${runList(unmeasured.map((r) => r.run))}${first.metric!.reason ? `: ${first.metric!.reason}` : ''}`);
  }
  const kinds = new Set(all.map((r) => typeof r.metric!.value));
  if (kinds.size > 1) return inconclusive('a yes/no answer in some runs and a number in others');
  if (kinds.has('boolean')) return judgeAnswers(base, sideA, sideB);
  const bounded = all.filter((r) => r.metric!.bound === 'lower');
  if (bounded.length > 0) return inconclusive(`${runList(bounded.map((r) => r.run))} give${bounded.length > 1 ? '' : 's'} only a lower bound (the run ended first)`);
  if (!margin) {
    return inconclusive(`no margin is declared for this metric (declare one in the analysis registry, or pass --margin ${name}=VALUE)`);
  }
  return judgeNumbers(base, sideA, sideB, margin, options);
}

type Base = Omit<MetricComparison, 'verdict' | 'reason'>;

function judgeAnswers(base: Base, sideA: readonly RunMetric[], sideB: readonly RunMetric[]): MetricComparison {
  const answers = (side: readonly RunMetric[]) => new Set(side.map((r) => r.metric!.value as boolean));
  const a = answers(sideA);
  const b = answers(sideB);
  const word = (v: boolean) => (v ? 'yes' : 'no');
  const result = { ...base, basis: 'exact' as const };
  if (a.size === 1 && b.size === 1) {
    const [va] = a;
    const [vb] = b;
    const runs = sideA.length + sideB.length;
    if (va === vb) return { ...result, verdict: 'equivalent', reason: `the same answer (${word(va!)}) in ${runs === 2 ? 'both runs' : `all ${runs} runs`}` };
    return { ...result, verdict: 'different', reason: `A answers ${word(va!)}, B ${word(vb!)}${runs > 2 ? ' in every run' : ''}` };
  }
  return { ...result, verdict: 'inconclusive', reason: `the answer varies between the runs of ${a.size > 1 && b.size > 1 ? 'both sides' : a.size > 1 ? 'side A' : 'side B'}` };
}

/** A run value on the scale the margin is tested on, with the run's own sampling variance there. */
interface ScaledRun {
  run: string;
  x: number;
  /** null: an observed value without a sampling interval (exact). */
  variance: number | null;
  /** Set when the run's sampling error could not be estimated. */
  degenerate?: string;
}

function judgeNumbers(base: Base, sideA: readonly RunMetric[], sideB: readonly RunMetric[], resolved: ResolvedMargin, options: JudgeOptions): MetricComparison {
  const margin = resolved.margin;
  const log = margin.kind === 'ratio';
  const scale = log ? ('ratio' as const) : ('difference' as const);
  const values = [...sideA, ...sideB].map((r) => r.metric!.value as number);
  if (log && values.some((v) => !(v > 0))) {
    if (values.every((v) => v === values[0])) {
      return { ...base, scale, basis: 'exact', verdict: 'equivalent', reason: `the same value (${fmt(values[0]!)}) in every run` };
    }
    return { ...base, scale, verdict: 'inconclusive', reason: `a ratio margin needs positive values, and some run measured ${fmt(values.find((v) => !(v > 0))!)}` };
  }
  const scaled = (side: readonly RunMetric[]) => side.map((r) => scaleRun(r, log));
  const a = scaled(sideA);
  const b = scaled(sideB);
  const mean = (runs: ScaledRun[]) => runs.reduce((s, r) => s + r.x, 0) / runs.length;
  const display = (x: number) => (log ? Math.exp(x) : x);
  const withMeans: Base = { ...base, scale, a: { ...base.a, mean: display(mean(a)) }, b: { ...base.b, mean: display(mean(b)) } };
  const estimate = mean(b) - mean(a);
  const runs = a.length + b.length;

  let se: number;
  let df: number;
  let basis: MetricComparison['basis'];
  let runToRunSd: number | null = null;
  if (runs === 2) {
    const degenerate = [...a, ...b].find((r) => r.degenerate);
    if (degenerate) return { ...withMeans, estimate: display(estimate), verdict: 'inconclusive', reason: `no sampling error could be estimated in run ${degenerate.run} (${degenerate.degenerate}); replicate runs would give one` };
    se = Math.sqrt((a[0]!.variance ?? 0) + (b[0]!.variance ?? 0));
    df = Number.POSITIVE_INFINITY;
    basis = se === 0 ? 'exact' : 'sampling';
  } else {
    // Pooled spread of the run values within each side (runs − 2 degrees of freedom), never below the
    // runs' own mean sampling variance: a run value varies at least by its sampling error.
    const squares = [a, b].reduce((sum, side) => {
      const m = mean(side);
      return sum + side.reduce((s, r) => s + (r.x - m) ** 2, 0);
    }, 0);
    df = runs - 2;
    const between = squares / df;
    const sampled = [...a, ...b].map((r) => r.variance ?? 0);
    const within = sampled.reduce((s, v) => s + v, 0) / sampled.length;
    const variance = Math.max(between, within);
    se = Math.sqrt(variance * (1 / a.length + 1 / b.length));
    runToRunSd = Math.sqrt(Math.max(0, between - within));
    basis = se === 0 ? 'exact' : 'replicates';
  }
  const marginInterval: MarginInterval =
    margin.kind === 'ratio' ? { lower: -Math.log1p(margin.within), upper: Math.log1p(margin.within) } : margin.kind === 'absolute' ? { lower: -margin.within, upper: margin.within } : { lower: 0, upper: 0 };
  const test = equivalenceTest(estimate, se, df, marginInterval, options.alpha);
  const interval: [number, number] = [display(test.equivalenceInterval[0]), display(test.equivalenceInterval[1])];
  const result: Base = {
    ...withMeans,
    estimate: display(estimate),
    interval,
    basis,
    df: Number.isFinite(df) ? df : null,
    runToRunSd: runToRunSd === null ? null : log ? Math.expm1(runToRunSd) : runToRunSd,
    pEquivalent: test.pEquivalent,
    pDifferent: basis === 'exact' ? null : test.pBeyond,
  };
  const what = log ? 'B / A' : 'B − A';
  const within = describeMargin(margin, base.unit);
  if (basis === 'exact') {
    const observed = `${what} = ${fmt(display(estimate))}`;
    const why = runs === 2 ? 'observed values without a sampling interval, compared as exact' : 'every run on each side gives the same value';
    if (test.pEquivalent === 0) return { ...result, verdict: 'equivalent', reason: `${observed}, within the margin, ${within} (${why})` };
    return { ...result, verdict: 'different', reason: `${observed}, beyond the margin, ${within} (${why})` };
  }
  const confidence = `${fmt((1 - 2 * options.alpha) * 100)} % CI of ${what} ${fmt(interval[0])}–${fmt(interval[1])}`;
  if (test.pEquivalent <= options.alpha) return { ...result, verdict: 'equivalent', reason: `${confidence} lies within ${within}` };
  // "different" needs Holm's adjustment over all metrics tested: the caller decides (decideDifferent).
  return { ...result, verdict: 'inconclusive', reason: `${confidence} is not within ${within}` };
}

/** After Holm: a tested metric whose adjusted p is at most α lies beyond its margin. */
export function decideDifferent(c: MetricComparison, adjusted: number, alpha: number): MetricComparison {
  const withP = { ...c, pDifferentAdjusted: adjusted };
  if (c.verdict !== 'inconclusive' || adjusted > alpha || c.estimate === null || !c.margin) return withP;
  const what = c.scale === 'ratio' ? 'B / A' : 'B − A';
  return {
    ...withP,
    verdict: 'different',
    reason: `${what} = ${fmt(c.estimate)}, beyond ${describeMargin(c.margin.margin, c.unit)} (${pIs(c.pDifferent!)}, Holm-adjusted ${pIs(adjusted)} ≤ ${alpha})`,
  };
}

function pIs(p: number): string {
  return p < 0.0001 ? 'p < 0.0001' : `p = ${fmtP(p)}`;
}

export function fmtP(p: number): string {
  if (p < 0.0001) return '< 0.0001';
  return p < 0.01 ? p.toFixed(4) : p.toFixed(3);
}

function scaleRun(r: RunMetric, log: boolean): ScaledRun {
  const m = r.metric!;
  const value = m.value as number;
  const x = log ? Math.log(value) : value;
  if (m.replicates) {
    const finite = Array.from(m.replicates).filter((v) => Number.isFinite(v) && (!log || v > 0));
    if (finite.length < 0.9 * m.replicates.length) return { run: r.run, x, variance: null, degenerate: 'its bootstrap was undefined too often' };
    const variance = sampleVariance(log ? finite.map(Math.log) : finite);
    return variance > 0 ? { run: r.run, x, variance } : { run: r.run, x, variance: null, degenerate: `every bootstrap replicate is the same, n = ${m.n}` };
  }
  if (m.interval) {
    const [lo, hi] = m.interval;
    if (log && !(lo > 0)) return { run: r.run, x, variance: null, degenerate: 'its interval reaches 0' };
    // A 95 % interval spans about 2 × 1.96 standard errors.
    const width = log ? Math.log(hi) - Math.log(lo) : hi - lo;
    return width > 0 ? { run: r.run, x, variance: (width / (2 * Z_975)) ** 2 } : { run: r.run, x, variance: null, degenerate: `its interval has no width, n = ${m.n}` };
  }
  return { run: r.run, x, variance: null };
}

const Z_975 = 1.959963984540054;

function sampleVariance(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  return values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1);
}

function runList(runs: string[]): string {
  return runs.length === 1 ? `run ${runs[0]}` : `runs ${runs.join(', ')}`;
}
