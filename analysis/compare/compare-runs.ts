/**
 * Compares two runs of the same study metric by metric: both values, the
 * difference (B − A) with a 95 % bootstrap interval where both metrics carry
 * bootstrap replicates (independent resamplings of each run, paired replicate
 * by replicate), and whether the runs agree: the interval of the difference
 * contains 0; booleans agree when equal; observed counts and extremes without
 * intervals agree only when equal, otherwise the comparison is undetermined.
 */
import { InputFileError } from '../../experiments/errors';
import { analyzeRun, type AnalyzeOptions, type RunAnalysis } from '../analyze-run';
import { openRun } from '../run/run-files';
import { fmt } from '../format';
import type { Metric } from '../metrics';
import { differenceReplicates, percentileInterval } from '../stats/bootstrap';

export type Agreement = 'agree' | 'differ' | 'undetermined' | 'not comparable';

export interface MetricComparison {
  name: string;
  description: string;
  unit: string;
  a: Metric | null;
  b: Metric | null;
  /** B − A; null for booleans and metrics missing a value. */
  difference: number | null;
  interval: [number, number] | null;
  agreement: Agreement;
  reason: string;
}

export interface RunComparison {
  a: RunAnalysis;
  b: RunAnalysis;
  metrics: MetricComparison[];
  /** Differences between the runs a reader must know (platforms, plans, time scales). */
  notes: string[];
}

export async function compareRuns(dirA: string, dirB: string, options: AnalyzeOptions = {}): Promise<RunComparison> {
  // Both runs' files (plan integrity included) are checked before either is analysed.
  await openRun(dirA);
  await openRun(dirB);
  const a = await analyzeRun(dirA, options);
  const b = await analyzeRun(dirB, options);
  if (a.files.plan.study.id !== b.files.plan.study.id) {
    throw new InputFileError(dirB, `is a run of study "${b.files.plan.study.id}", ${dirA} of "${a.files.plan.study.id}": only runs of one study can be compared`);
  }
  const names = [...new Set([...a.output.metrics.map((m) => m.name), ...b.output.metrics.map((m) => m.name)])];
  const metrics = names.map((name) => compareMetric(name, a.metrics.get(name) ?? null, b.metrics.get(name) ?? null));
  return { a, b, metrics, notes: comparisonNotes(a, b) };
}

export function compareMetric(name: string, a: Metric | null, b: Metric | null): MetricComparison {
  const any = a ?? b!;
  const base = { name, description: any.description, unit: any.unit, a, b };
  if (!a || !b) return { ...base, difference: null, interval: null, agreement: 'not comparable', reason: `run ${a ? 'B' : 'A'} has no such metric` };
  if (a.value === null || b.value === null) {
    const missing = a.value === null ? 'A' : 'B';
    return { ...base, difference: null, interval: null, agreement: 'not comparable', reason: `not measurable in run ${missing}: ${(a.value === null ? a : b).reason ?? ''}` };
  }
  if (typeof a.value === 'boolean' || typeof b.value === 'boolean') {
    const same = a.value === b.value;
    return { ...base, difference: null, interval: null, agreement: same ? 'agree' : 'differ', reason: same ? 'same answer' : 'different answers' };
  }
  const difference = b.value - a.value;
  if (a.bound || b.bound) {
    return { ...base, difference, interval: null, agreement: 'undetermined', reason: 'at least one value is only a lower bound' };
  }
  if (a.replicates && b.replicates) {
    const ci = percentileInterval(differenceReplicates(b.replicates, a.replicates));
    if (ci) {
      const agree = ci.lower <= 0 && ci.upper >= 0;
      return { ...base, difference, interval: [ci.lower, ci.upper], agreement: agree ? 'agree' : 'differ', reason: `bootstrap 95 % CI of B − A ${agree ? 'contains' : 'excludes'} 0` };
    }
  }
  if (a.interval && b.interval) {
    const overlap = a.interval[0] <= b.interval[1] && b.interval[0] <= a.interval[1];
    return { ...base, difference, interval: null, agreement: overlap ? 'agree' : 'differ', reason: `the runs' 95 % intervals ${overlap ? 'overlap' : 'do not overlap'}` };
  }
  if (difference === 0) return { ...base, difference, interval: null, agreement: 'agree', reason: 'equal observed values' };
  return { ...base, difference, interval: null, agreement: 'undetermined', reason: `observed values without intervals differ by ${fmt(difference)}` };
}

function comparisonNotes(a: RunAnalysis, b: RunAnalysis): string[] {
  const notes: string[] = [];
  const describe = (r: RunAnalysis) => (r.platform.emulated ? `the emulated local platform (profile ${r.platform.profile ?? 'unknown'}, time scale ${r.platform.timeScale})` : `${r.platform.provider} ${r.files.plan.region}`);
  if (a.platform.emulated || b.platform.emulated || a.platform.provider !== b.platform.provider) {
    notes.push(`Run A ran on ${describe(a)}; run B on ${describe(b)}.`);
  }
  // openRun refused either plan had it not matched its hash, so equal hashes mean equal plans.
  if (a.files.plan.hash === b.files.plan.hash) notes.push('Both runs executed the same plan (plan hashes checked).');
  else if (a.files.plan.study.definitionHash === b.files.plan.study.definitionHash) notes.push('Both runs come from the same study definition, planned for different targets.');
  else {
    const pa = a.files.plan.parameters;
    const pb = b.files.plan.parameters;
    const changed = [...new Set([...Object.keys(pa), ...Object.keys(pb)])].filter((k) => JSON.stringify(pa[k]) !== JSON.stringify(pb[k]));
    notes.push(`The runs come from different study definitions${changed.length ? ` (parameters differ: ${changed.join(', ')})` : ''}.`);
  }
  for (const [label, r] of [['A', a], ['B', b]] as const) {
    if (r.stream.malformed > 0) notes.push(`Run ${label} has ${r.stream.malformed} malformed line(s), skipped.`);
    const failed = r.ledger.records - r.ledger.byStatus.ok;
    if (failed > 0) notes.push(`Run ${label}: ${failed} of ${r.ledger.records} records failed or were skipped.`);
  }
  return notes;
}
