/**
 * Quantiles, their distribution-free (order-statistic) confidence intervals and
 * empirical CDFs, on sorted Float64Arrays.
 *
 * The interval of a quantile q uses only the ranks of the sample: the number of
 * observations below the true quantile is Binomial(n, q), so [x(l), x(u)] with
 * l, u chosen from that binomial's tails covers it with at least the requested
 * probability whatever the distribution. Exact tails for n ≤ 2,000, the normal
 * approximation above.
 */

export const CONFIDENCE = 0.95;
const Z_95 = 1.959963984540054;

/** Quantile q of a sorted sample by linear interpolation between order statistics (R's type 7). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  if (n === 1) return sorted[0]!;
  const position = (n - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.min(n - 1, lower + 1);
  const weight = position - lower;
  return sorted[lower]! * (1 - weight) + sorted[upper]! * weight;
}

export function medianSorted(sorted: ArrayLike<number>): number {
  return quantileSorted(sorted, 0.5);
}

export interface QuantileInterval {
  lower: number;
  upper: number;
  /** The coverage the chosen ranks actually give (below the target when n is too small). */
  coverage: number;
}

/**
 * Distribution-free interval for quantile q of a sorted sample; null when n = 0.
 * With very few observations the widest interval [min, max] has coverage below
 * the target; `coverage` says how much.
 */
export function quantileInterval(sorted: ArrayLike<number>, q: number, confidence = CONFIDENCE): QuantileInterval | null {
  const n = sorted.length;
  if (n === 0) return null;
  const alpha = 1 - confidence;
  // Ranks (1-based) of the bounds: P(X <= l - 1) <= alpha/2 and P(X >= u) <= alpha/2 for X ~ Binomial(n, q).
  let l: number;
  let u: number;
  let tail: (below: number, from: number) => number; // P(X <= below) + P(X >= from)
  if (n <= 2000) {
    // log P(X = k) by the recurrence P(k+1) = P(k)·(n−k)/(k+1)·q/(1−q), in log space so nothing underflows.
    const cdf = new Float64Array(n + 1);
    const logOdds = Math.log(q / (1 - q));
    let logP = n * Math.log(1 - q);
    let sum = 0;
    for (let k = 0; k <= n; k++) {
      sum += Math.exp(logP);
      cdf[k] = sum;
      logP += Math.log((n - k) / (k + 1)) + logOdds;
    }
    const atMost = (k: number) => (k < 0 ? 0 : cdf[Math.min(k, n)]!);
    l = 0;
    while (l + 1 <= n && atMost(l) <= alpha / 2) l += 1;
    u = n + 1;
    while (u - 1 >= 1 && 1 - atMost(u - 2) <= alpha / 2) u -= 1;
    tail = (below, from) => atMost(below) + (1 - atMost(from - 1));
  } else {
    const z = confidence === CONFIDENCE ? Z_95 : zFor(confidence);
    const sd = Math.sqrt(n * q * (1 - q));
    l = Math.floor(n * q - z * sd);
    u = Math.ceil(n * q + z * sd) + 1;
    tail = (below, from) => normalCdf((below + 0.5 - n * q) / sd) + (1 - normalCdf((from - 0.5 - n * q) / sd));
  }
  const lowerRank = Math.max(1, l);
  const upperRank = Math.min(n, u);
  return {
    lower: sorted[lowerRank - 1]!,
    upper: sorted[upperRank - 1]!,
    coverage: 1 - tail(lowerRank - 1, upperRank),
  };
}

function zFor(confidence: number): number {
  // Inverse normal CDF by bisection: only used for non-default confidence levels.
  const target = 1 - (1 - confidence) / 2;
  let lo = 0;
  let hi = 10;
  for (let i = 0; i < 80; i++) {
    const mid = (lo + hi) / 2;
    if (normalCdf(mid) < target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

export function normalCdf(x: number): number {
  // Abramowitz–Stegun 7.1.26 via erf.
  const t = 1 / (1 + (0.3275911 * Math.abs(x)) / Math.SQRT2);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-(x * x) / 2);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/**
 * Points of the empirical CDF of a sorted sample, at most `maxPoints` of them
 * (evenly spaced in probability), so a figure of a million latencies stays small.
 */
export function ecdfPoints(sorted: ArrayLike<number>, maxPoints = 200): { value: number; p: number }[] {
  const n = sorted.length;
  if (n === 0) return [];
  const points: { value: number; p: number }[] = [];
  const count = Math.min(n, maxPoints);
  for (let i = 0; i < count; i++) {
    const rank = count === n ? i : Math.round((i * (n - 1)) / (count - 1));
    points.push({ value: sorted[rank]!, p: (rank + 1) / n });
  }
  return points;
}

export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return values.length === 0 ? Number.NaN : sum / values.length;
}

export function sortedCopy(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}

/** Median with its order-statistic interval (null bounds when the sample is empty). */
export function medianSummary(sorted: ArrayLike<number>): { median: number; lower: number | null; upper: number | null } {
  const ci = quantileInterval(sorted, 0.5);
  return { median: quantileSorted(sorted, 0.5), lower: ci?.lower ?? null, upper: ci?.upper ?? null };
}
