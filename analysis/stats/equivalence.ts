/**
 * Equivalence and difference against a practical margin, for an estimate with
 * a standard error and Student-t (or normal, df = ∞) sampling distribution.
 *
 * - Equivalence is TOST, two one-sided tests (Schuirmann 1987): the true
 *   difference δ lies inside (lower, upper) when both H0: δ ≤ lower and
 *   H0: δ ≥ upper are rejected at α; p = the larger of the two p-values. Same
 *   as the (1 − 2α) interval lying inside the margin.
 * - Difference beyond the margin is the mirror test: H0: lower ≤ δ ≤ upper
 *   against δ outside, rejected when the (1 − α) two-sided interval lies
 *   entirely outside the margin; p = 2 × the smaller one-sided p-value. Under
 *   H0 its error rate is at most α, so a difference smaller than the margin is
 *   never called "different" more often than that, however many records a run has.
 *
 * A zero standard error means the values are exact (observed counts, or runs that
 * agree exactly): the tests then reduce to comparing the estimate with the margin.
 */
import { studentTCdf, studentTQuantile } from './student-t';

export interface MarginInterval {
  /** Below zero (or zero for an exact margin). */
  lower: number;
  /** Above zero (or zero). */
  upper: number;
}

export interface EquivalenceResult {
  /** TOST p-value: small means equivalent within the margin. */
  pEquivalent: number;
  /** p-value of the test that the difference lies beyond the margin: small means different. */
  pBeyond: number;
  /** (1 − 2α) interval, the one TOST at level α corresponds to. */
  equivalenceInterval: [number, number];
  /** (1 − α) two-sided interval. */
  interval: [number, number];
}

export function equivalenceTest(estimate: number, se: number, df: number, margin: MarginInterval, alpha: number): EquivalenceResult {
  if (se === 0) {
    const inside = estimate >= margin.lower && estimate <= margin.upper;
    const outside = estimate < margin.lower || estimate > margin.upper;
    return { pEquivalent: inside ? 0 : 1, pBeyond: outside ? 0 : 1, equivalenceInterval: [estimate, estimate], interval: [estimate, estimate] };
  }
  const cdf = (t: number) => studentTCdf(t, df);
  const pAboveLower = 1 - cdf((estimate - margin.lower) / se); // H0: δ ≤ lower
  const pBelowUpper = cdf((estimate - margin.upper) / se); // H0: δ ≥ upper
  const pAboveUpper = 1 - cdf((estimate - margin.upper) / se); // evidence δ > upper
  const pBelowLower = cdf((estimate - margin.lower) / se); // evidence δ < lower
  const t1 = studentTQuantile(1 - alpha, df);
  const t2 = studentTQuantile(1 - alpha / 2, df);
  return {
    pEquivalent: Math.max(pAboveLower, pBelowUpper),
    pBeyond: Math.min(1, 2 * Math.min(pAboveUpper, pBelowLower)),
    equivalenceInterval: [estimate - t1 * se, estimate + t1 * se],
    interval: [estimate - t2 * se, estimate + t2 * se],
  };
}
