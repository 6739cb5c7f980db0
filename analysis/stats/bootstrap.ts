/**
 * Non-parametric bootstrap: resample the analysis units (records, instances,
 * hosts, instance pairs) with replacement, recompute the statistic, and take
 * percentiles of the replicates. The replicates are kept with each metric so
 * `curtain compare` can bootstrap the difference between two runs.
 */
import { quantileSorted } from './quantiles';
import { createRandom, randomIndex, randomNormal, type Random } from './random';

export const DEFAULT_REPLICATES = 1000;

/** Above this sample size a quantile's bootstrap uses the rank distribution instead of explicit resamples. */
const EXPLICIT_RESAMPLE_LIMIT = 1_000;

export interface BootstrapOptions {
  replicates?: number;
  random?: Random;
}

/**
 * Replicates of a statistic of n units. `statistic` receives the resampled unit
 * indices (with repetitions) and returns the statistic, or NaN where it is
 * undefined for that resample.
 */
export function bootstrapReplicates(n: number, statistic: (indices: Int32Array) => number, options: BootstrapOptions = {}): Float64Array {
  const replicates = options.replicates ?? DEFAULT_REPLICATES;
  const random = options.random ?? createRandom();
  const out = new Float64Array(replicates);
  if (n === 0) return out.fill(Number.NaN);
  const indices = new Int32Array(n);
  for (let b = 0; b < replicates; b++) {
    for (let i = 0; i < n; i++) indices[i] = randomIndex(random, n);
    out[b] = statistic(indices);
  }
  return out;
}

/**
 * Replicates of quantile q of a sorted sample. Small samples are resampled
 * explicitly; large ones draw the resample quantile's rank from its normal
 * approximation (rank ≈ nq + √(nq(1−q))·Z), which is what explicit resampling
 * converges to and costs O(1) per replicate instead of O(n).
 */
export function quantileReplicates(sorted: Float64Array, q: number, options: BootstrapOptions = {}): Float64Array {
  const n = sorted.length;
  const replicates = options.replicates ?? DEFAULT_REPLICATES;
  const random = options.random ?? createRandom();
  if (n <= EXPLICIT_RESAMPLE_LIMIT) {
    const resample = new Float64Array(n);
    return bootstrapReplicates(
      n,
      (indices) => {
        for (let i = 0; i < n; i++) resample[i] = sorted[indices[i]!]!;
        resample.sort();
        return quantileSorted(resample, q);
      },
      { replicates, random },
    );
  }
  const out = new Float64Array(replicates);
  const sd = Math.sqrt(n * q * (1 - q));
  for (let b = 0; b < replicates; b++) {
    const position = Math.min(n - 1, Math.max(0, (n - 1) * q + sd * randomNormal(random)));
    out[b] = quantileSorted(sorted, position / (n - 1));
  }
  return out;
}

export interface PercentileInterval {
  lower: number;
  upper: number;
}

/**
 * Percentile interval of replicates; null when too many replicates are
 * undefined (more than 10 %) for the interval to mean anything.
 */
export function percentileInterval(replicates: Float64Array, confidence = 0.95): PercentileInterval | null {
  const finite = replicates.filter((x) => Number.isFinite(x));
  if (finite.length === 0 || finite.length < 0.9 * replicates.length) return null;
  finite.sort();
  const alpha = 1 - confidence;
  return { lower: quantileSorted(finite, alpha / 2), upper: quantileSorted(finite, 1 - alpha / 2) };
}

/**
 * Replicates of a − b from the bootstraps of two independent samples. Replicate
 * i of a is paired with replicate π(i) of b for a random permutation π: the two
 * bootstraps may have used the same random stream (two runs resampled with the
 * same seed and sample size draw the same indices), and pairing them index by
 * index would correlate them and understate the spread of the difference.
 */
export function differenceReplicates(a: Float64Array, b: Float64Array, random: Random = createRandom(DEFAULT_PAIRING_SEED)): Float64Array {
  const length = Math.min(a.length, b.length);
  const order = Int32Array.from({ length }, (_, i) => i);
  for (let i = length - 1; i > 0; i--) {
    const j = randomIndex(random, i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) out[i] = a[i]! - b[order[i]!]!;
  return out;
}

const DEFAULT_PAIRING_SEED = 977;
