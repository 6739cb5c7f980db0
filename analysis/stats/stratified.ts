/**
 * Like-with-like comparisons: units of interest ("treated", e.g. CPU shares of instances that
 * shared a host) are each compared with the median of the reference units of their own stratum
 * (e.g. the control group of the same step, memory and VM type), and the comparisons are
 * pooled into a median. The bootstrap resamples treated and reference units within each
 * stratum, so the interval carries the uncertainty of both sides.
 */
import { DEFAULT_REPLICATES } from './bootstrap';
import { medianSorted, sortedCopy } from './quantiles';
import { createRandom, randomIndex, type Random } from './random';

export interface Stratum {
  treated: readonly number[];
  reference: readonly number[];
}

export interface StratifiedComparison {
  /** Median over treated units of compare(unit, median of its stratum's reference units). */
  value: number;
  replicates: Float64Array;
  /** Treated units compared (in strata that have both sides). */
  treated: number;
  reference: number;
  strata: number;
}

/** Null when no stratum has both treated and reference units. */
export function stratifiedComparison(
  strata: readonly Stratum[],
  compare: (unit: number, reference: number) => number,
  options: { replicates?: number; random?: Random } = {},
): StratifiedComparison | null {
  const usable = strata.filter((s) => s.treated.length > 0 && s.reference.length > 0);
  if (usable.length === 0) return null;
  const pooled = (sample: (values: readonly number[]) => readonly number[]) => {
    const out: number[] = [];
    for (const s of usable) {
      const reference = medianSorted(sortedCopy(sample(s.reference)));
      for (const unit of sample(s.treated)) out.push(compare(unit, reference));
    }
    return medianSorted(sortedCopy(out));
  };
  const random = options.random ?? createRandom();
  const replicates = new Float64Array(options.replicates ?? DEFAULT_REPLICATES);
  const resample = (values: readonly number[]) => Array.from(values, () => values[randomIndex(random, values.length)]!);
  for (let b = 0; b < replicates.length; b++) replicates[b] = pooled(resample);
  return {
    value: pooled((values) => values),
    replicates,
    treated: usable.reduce((n, s) => n + s.treated.length, 0),
    reference: usable.reduce((n, s) => n + s.reference.length, 0),
    strata: usable.length,
  };
}
