/**
 * Control of the error rate across many tests. `curtain compare` tests every
 * metric of a study at once (21 for a default coldstart run); tested one by
 * one at α = 0.05, two runs of the same plan would "differ" on about one of
 * them by chance alone.
 */

/**
 * Holm's step-down adjusted p-values (Holm 1979): sort ascending, multiply the
 * i-th smallest (0-based) by m − i, keep them non-decreasing, cap at 1.
 * Rejecting where the adjusted p ≤ α controls the family-wise error rate at α
 * under any dependence between the tests. NaN entries are not tests: they stay
 * NaN and do not count in m.
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  const tested = pValues.map((p, i) => ({ p, i })).filter((x) => !Number.isNaN(x.p));
  tested.sort((x, y) => x.p - y.p);
  const m = tested.length;
  const adjusted = pValues.map(() => Number.NaN);
  let running = 0;
  tested.forEach((x, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * x.p));
    adjusted[x.i] = running;
  });
  return adjusted;
}
