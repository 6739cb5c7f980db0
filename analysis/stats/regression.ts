/** Least-squares line and Pearson correlation over paired samples. */

export interface LinearFit {
  intercept: number;
  slope: number;
  /** Pearson correlation coefficient; NaN when either variable is constant. */
  r: number;
  n: number;
}

export function linearFit(x: ArrayLike<number>, y: ArrayLike<number>, indices?: ArrayLike<number>): LinearFit {
  const n = indices ? indices.length : x.length;
  let sx = 0;
  let sy = 0;
  for (let k = 0; k < n; k++) {
    const i = indices ? indices[k]! : k;
    sx += x[i]!;
    sy += y[i]!;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let k = 0; k < n; k++) {
    const i = indices ? indices[k]! : k;
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  const slope = sxx === 0 ? Number.NaN : sxy / sxx;
  return {
    slope,
    intercept: my - slope * mx,
    r: sxx === 0 || syy === 0 ? Number.NaN : sxy / Math.sqrt(sxx * syy),
    n,
  };
}
