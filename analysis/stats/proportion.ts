/** Intervals for a proportion of successes out of n trials. */

const Z_95 = 1.959963984540054;

/** Wilson score interval (95 %): well behaved at 0 and 1 and for small n, unlike the normal interval. */
export function wilsonInterval(successes: number, trials: number): { lower: number; upper: number } | null {
  if (trials <= 0) return null;
  const p = successes / trials;
  const z2 = Z_95 * Z_95;
  const denominator = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denominator;
  const half = (Z_95 * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / denominator;
  return { lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
}
