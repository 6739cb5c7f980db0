/**
 * Kaplan–Meier survival estimate for right-censored durations (an instance
 * still alive when the study ended is censored: it lived at least that long),
 * with Greenwood's variance on the log(−log S) scale for pointwise 95 % bands,
 * and the median survival time with the interval where the band crosses 0.5.
 */
const Z_95 = 1.959963984540054;

export interface SurvivalStep {
  /** Time at which the survival drops (an event time). */
  time: number;
  survival: number;
  lower: number;
  upper: number;
  atRisk: number;
  events: number;
}

export interface KaplanMeier {
  steps: SurvivalStep[];
  n: number;
  events: number;
  censored: number;
  /** First time S(t) ≤ 0.5; null when the curve never reaches 0.5 (too much censoring). */
  median: number | null;
  medianLower: number | null;
  medianUpper: number | null;
  /** The longest observed duration (event or censored), for "median > X" statements. */
  maxObserved: number;
}

export function kaplanMeier(durations: ArrayLike<number>, observed: ArrayLike<boolean | number>): KaplanMeier {
  const n = durations.length;
  const order = Int32Array.from({ length: n }, (_, k) => k).sort((a, b) => durations[a]! - durations[b]!);
  const steps: SurvivalStep[] = [];
  let atRisk = n;
  let survival = 1;
  let greenwood = 0;
  let events = 0;
  let maxObserved = 0;
  forEachTime(order, durations, observed, (time, died, leaving) => {
    maxObserved = Math.max(maxObserved, time);
    if (died > 0) {
      survival *= 1 - died / atRisk;
      greenwood += atRisk > died ? died / (atRisk * (atRisk - died)) : Number.POSITIVE_INFINITY;
      events += died;
      const [lower, upper] = logLogBand(survival, greenwood);
      steps.push({ time, survival, lower, upper, atRisk, events: died });
    }
    atRisk -= leaving;
    return false;
  });
  const firstAtOrBelowHalf = (pick: (s: SurvivalStep) => number) => steps.find((s) => pick(s) <= 0.5)?.time ?? null;
  return {
    steps,
    n,
    events,
    censored: n - events,
    median: firstAtOrBelowHalf((s) => s.survival),
    medianLower: firstAtOrBelowHalf((s) => s.lower),
    medianUpper: firstAtOrBelowHalf((s) => s.upper),
    maxObserved,
  };
}

function logLogBand(survival: number, greenwood: number): [number, number] {
  if (survival <= 0 || !Number.isFinite(greenwood)) return [0, survival > 0 ? survival : 0];
  if (survival >= 1) return [1, 1];
  const logS = Math.log(survival);
  const se = Math.sqrt(greenwood) / Math.abs(logS);
  return [Math.pow(survival, Math.exp(Z_95 * se)), Math.pow(survival, Math.exp(-Z_95 * se))];
}

/**
 * Only the median of the Kaplan–Meier estimate (no bands): what each bootstrap
 * replicate needs, without the cost of the variance terms.
 */
export function kaplanMeierMedian(durations: ArrayLike<number>, observed: ArrayLike<boolean | number>, indices: ArrayLike<number>): number | null {
  const n = indices.length;
  const order = Int32Array.from(indices).sort((a, b) => durations[a]! - durations[b]!);
  let atRisk = n;
  let survival = 1;
  let median: number | null = null;
  forEachTime(order, durations, observed, (time, died, leaving) => {
    if (died > 0) survival *= 1 - died / atRisk;
    atRisk -= leaving;
    if (survival <= 0.5) median = time;
    return median !== null;
  });
  return median;
}

/**
 * Walks the distinct durations of `order` (indices sorted by duration): for each, how many
 * units ended with an event and how many left the risk set. Stops when `visit` returns true.
 */
function forEachTime(
  order: Int32Array,
  durations: ArrayLike<number>,
  observed: ArrayLike<boolean | number>,
  visit: (time: number, died: number, leaving: number) => boolean,
): void {
  const n = order.length;
  for (let k = 0; k < n; ) {
    const time = durations[order[k]!]!;
    let died = 0;
    let leaving = 0;
    while (k < n && durations[order[k]!]! === time) {
      if (observed[order[k]!]) died++;
      leaving++;
      k++;
    }
    if (visit(time, died, leaving)) return;
  }
}
