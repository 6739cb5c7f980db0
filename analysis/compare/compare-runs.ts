/**
 * Compares two sides of runs of one study (A: the reference, e.g. a published
 * run; B: reruns), each side one run or several replicates of one plan, metric
 * by metric against each metric's practical margin (judge-metric.ts), with
 * Holm's adjustment over the metrics tested so that runs of the same plan are
 * not called "different" on some metric by chance. Notes say what differs
 * between the runs (platform, plan, failures) and where the caveats lie.
 */
import { realpath } from 'node:fs/promises';
import { InputFileError, ValidationError } from '../../experiments/errors';
import { closest } from '../../experiments/suggest';
import { analyzeRun, type AnalyzeOptions, type RunAnalysis } from '../analyze-run';
import { openRun } from '../run/run-files';
import { type MetricMargins, resolveMargin } from '../margins';
import type { Metric } from '../metrics';
import { holmAdjust } from '../stats/multiplicity';
import { decideDifferent, judgeMetric, type MetricComparison, type RunMetric, type Verdict } from './judge-metric';
import { planAgreement, type PlanAgreement } from './plan-agreement';

export type { MetricComparison, Verdict } from './judge-metric';

export const DEFAULT_ALPHA = 0.05;

export interface CompareOptions extends AnalyzeOptions {
  /** Error rate of each verdict family (default 0.05). */
  alpha?: number;
  /** Margins that replace the declared ones, by metric name (covering the names below it). */
  margins?: MetricMargins;
}

export interface ComparedRun {
  /** A, B when each side has one run; A1, A2, …, B1, … otherwise. */
  label: string;
  analysis: RunAnalysis;
}

export interface RunComparison {
  a: ComparedRun[];
  b: ComparedRun[];
  alpha: number;
  metrics: MetricComparison[];
  /** Metrics in Holm's family (those with a statistical test of difference). */
  tested: number;
  plans: PlanAgreement;
  /** Differences between the runs a reader must know (platforms, plans, failures, caveats of the method). */
  notes: string[];
  counts: Record<Verdict, number>;
}

export async function compareRuns(sideA: string | readonly string[], sideB: string | readonly string[], options: CompareOptions = {}): Promise<RunComparison> {
  const dirsA = typeof sideA === 'string' ? [sideA] : [...sideA];
  const dirsB = typeof sideB === 'string' ? [sideB] : [...sideB];
  if (dirsA.length === 0 || dirsB.length === 0) throw new InputFileError(dirsA.length === 0 ? 'side A' : 'side B', 'names no run');
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  await refuseRepeatedRuns([...dirsA, ...dirsB]);
  // Every run's files (its plan's integrity included: an edited plan is refused) are checked before any is analysed.
  for (const dir of [...dirsA, ...dirsB]) await openRun(dir);
  const label = (side: 'A' | 'B', i: number) => (dirsA.length === 1 && dirsB.length === 1 ? side : `${side}${i + 1}`);
  const analyse = async (dirs: string[], side: 'A' | 'B') => {
    const runs: ComparedRun[] = [];
    for (const [i, dir] of dirs.entries()) runs.push({ label: label(side, i), analysis: await analyzeRun(dir, options) });
    return runs;
  };
  const a = await analyse(dirsA, 'A');
  const b = await analyse(dirsB, 'B');
  const all = [...a, ...b];
  const study = a[0]!.analysis.files.plan.study.id;
  const other = all.find((r) => r.analysis.files.plan.study.id !== study);
  if (other) {
    throw new InputFileError(other.analysis.files.dir, `is a run of study "${other.analysis.files.plan.study.id}", ${a[0]!.analysis.files.dir} of "${study}": only runs of one study can be compared`);
  }
  for (const side of [a, b]) {
    const odd = side.find((r) => r.analysis.files.plan.hash !== side[0]!.analysis.files.plan.hash);
    if (odd) {
      throw new InputFileError(
        odd.analysis.files.dir,
        `ran plan ${odd.analysis.files.plan.hash.slice(0, 12)}, but ${side[0]!.analysis.files.dir} (${side[0]!.label}) ran ${side[0]!.analysis.files.plan.hash.slice(0, 12)}: the runs of one side must be replicates of one plan`,
      );
    }
  }
  const names = [...new Set(all.flatMap((r) => r.analysis.output.metrics.map((m) => m.name)))];
  const declared = a[0]!.analysis.definition.margins;
  const overrides = options.margins ?? {};
  refuseUnknownOverrides(overrides, names, declared);
  const metricsOf = (runs: ComparedRun[]): LabelledMetrics[] => runs.map((r) => ({ run: r.label, metrics: r.analysis.metrics }));
  const { metrics, tested, counts } = judgeMetrics(names, metricsOf(a), metricsOf(b), { declared, overrides, alpha });
  const plans = planAgreement(a.map((r) => ({ label: r.label, files: r.analysis.files })), b.map((r) => ({ label: r.label, files: r.analysis.files })));
  return { a, b, alpha, metrics, tested, plans, notes: comparisonNotes(a, b, plans), counts };
}

/** One run's metrics by name, with the label the comparison gives the run. */
export interface LabelledMetrics {
  run: string;
  metrics: ReadonlyMap<string, Metric>;
}

/**
 * The verdicts of every metric, with Holm's adjustment over those tested for a
 * difference: the statistical core of compareRuns, apart from reading runs.
 */
export function judgeMetrics(
  names: readonly string[],
  a: readonly LabelledMetrics[],
  b: readonly LabelledMetrics[],
  o: { declared: MetricMargins; overrides?: MetricMargins; alpha: number },
): { metrics: MetricComparison[]; tested: number; counts: Record<Verdict, number> } {
  const side = (runs: readonly LabelledMetrics[], name: string): RunMetric[] => runs.map((r) => ({ run: r.run, metric: r.metrics.get(name) ?? null }));
  const judged = names.map((name) => judgeMetric(name, side(a, name), side(b, name), resolveMargin(name, o.declared, o.overrides), { alpha: o.alpha }));
  const adjusted = holmAdjust(judged.map((m) => m.pDifferent ?? Number.NaN));
  const metrics = judged.map((m, i) => (m.pDifferent === null ? m : decideDifferent(m, adjusted[i]!, o.alpha)));
  const counts: Record<Verdict, number> = { equivalent: 0, different: 0, inconclusive: 0 };
  for (const m of metrics) counts[m.verdict] += 1;
  return { metrics, tested: metrics.filter((m) => m.pDifferent !== null).length, counts };
}

/** The same run on both sides, or twice on one, is not a replicate of itself. */
async function refuseRepeatedRuns(dirs: string[]): Promise<void> {
  const seen = new Map<string, string>();
  for (const dir of dirs) {
    const real = await realpath(dir).catch(() => dir);
    const earlier = seen.get(real);
    if (earlier !== undefined) throw new InputFileError(dir, `is given twice (also as ${earlier}): a run is not a replicate of itself`);
    seen.set(real, dir);
  }
}

function refuseUnknownOverrides(overrides: MetricMargins, names: string[], declared: MetricMargins): void {
  const known = new Set([...names, ...Object.keys(declared)]);
  const problems = Object.keys(overrides)
    .filter((key) => !known.has(key) && !names.some((n) => n.startsWith(`${key}.`)))
    .map((key) => {
      const near = closest(key, [...known]);
      return { path: key, message: `no metric of this study is named so or below it${near.length > 0 ? `; did you mean ${near.join(', ')}?` : ''}` };
    });
  if (problems.length > 0) throw new ValidationError('--margin', problems);
}

function comparisonNotes(a: ComparedRun[], b: ComparedRun[], plans: PlanAgreement): string[] {
  const notes: string[] = [];
  const describe = (r: RunAnalysis) => (r.platform.emulated ? `the emulated local platform (profile ${r.platform.profile ?? 'unknown'}, time scale ${r.platform.timeScale})` : `${r.platform.provider} ${r.files.plan.region}`);
  const platforms = (side: ComparedRun[]) => [...new Set(side.map((r) => describe(r.analysis)))].join('; ');
  const first = a[0]!.analysis;
  const second = b[0]!.analysis;
  if (platforms(a) !== platforms(b)) notes.push(`Side A ran on ${platforms(a)}; side B on ${platforms(b)}.`);
  else if (first.platform.emulated || second.platform.emulated) notes.push(`Both sides ran on ${platforms(a)}.`);
  notes.push(...plans.notes);
  if (a.length === 1 && b.length === 1) {
    notes.push(
      'One run per side: the intervals hold each run\'s own sampling error only, not the variation between runs of the same plan, so "different" means these two runs differ beyond the margin. Replicates (--a RUN RUN … --b RUN RUN …) add the run-to-run variance.',
    );
  }
  for (const r of [...a, ...b]) {
    const { stream, ledger } = r.analysis;
    if (stream.malformed > 0) notes.push(`Run ${r.label} has ${stream.malformed} malformed line(s), skipped (listed under "Malformed lines").`);
    const failed = ledger.records - ledger.byStatus.ok;
    if (failed > 0) notes.push(`Run ${r.label}: ${failed} of ${ledger.records} records failed or were skipped.`);
  }
  return notes;
}
