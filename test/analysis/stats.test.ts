import { bootstrapReplicates, differenceReplicates, percentileInterval, quantileReplicates } from '../../analysis/stats/bootstrap';
import { kaplanMeier, kaplanMeierMedian } from '../../analysis/stats/kaplan-meier';
import { wilsonInterval } from '../../analysis/stats/proportion';
import { ecdfPoints, quantileInterval, quantileSorted } from '../../analysis/stats/quantiles';
import { createRandom } from '../../analysis/stats/random';
import { linearFit } from '../../analysis/stats/regression';

describe('order-statistic interval of the median', () => {
  test.each([15, 200, 5000])('covers the true median at least ~95 %% of the time (n = %i)', (n) => {
    const random = createRandom(n);
    let covered = 0;
    const trials = n > 1000 ? 200 : 1000;
    for (let t = 0; t < trials; t++) {
      const sample = Float64Array.from({ length: n }, () => random()).sort(); // Uniform(0, 1): median 0.5
      const ci = quantileInterval(sample, 0.5)!;
      if (ci.lower <= 0.5 && ci.upper >= 0.5) covered++;
    }
    expect(covered / trials).toBeGreaterThan(0.93);
    expect(covered / trials).toBeLessThan(0.995); // not trivially wide
  });

  test('too few observations: [min, max] with the coverage it really has', () => {
    const ci = quantileInterval(Float64Array.from([1, 2, 3, 4]), 0.5)!;
    expect([ci.lower, ci.upper]).toEqual([1, 4]);
    expect(ci.coverage).toBeCloseTo(1 - 2 / 16, 10);
  });

  test('quantiles interpolate like R type 7; ECDF points are capped', () => {
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileSorted([10], 0.9)).toBe(10);
    const sorted = Float64Array.from({ length: 10_000 }, (_, i) => i);
    const points = ecdfPoints(sorted, 100);
    expect(points.length).toBe(100);
    expect(points[0]).toEqual({ value: 0, p: 1 / 10_000 });
    expect(points[99]).toEqual({ value: 9999, p: 1 });
  });
});

describe('bootstrap', () => {
  test('replicates of the median: explicit for small samples, rank-based for large ones, both centred on the median', () => {
    for (const n of [500, 50_000]) {
      const random = createRandom(1);
      const sorted = Float64Array.from({ length: n }, () => random() * 100).sort();
      const ci = percentileInterval(quantileReplicates(sorted, 0.5))!;
      const exact = quantileInterval(sorted, 0.5)!;
      // The bootstrap and the order-statistic intervals agree to within a fraction of their width.
      const width = exact.upper - exact.lower;
      expect(Math.abs(ci.lower - exact.lower)).toBeLessThan(0.35 * width);
      expect(Math.abs(ci.upper - exact.upper)).toBeLessThan(0.35 * width);
    }
  });

  test('the difference of two bootstraps drawn with the same seed keeps its full spread', () => {
    const random = createRandom(5);
    const a = Float64Array.from({ length: 400 }, () => random()).sort();
    const b = Float64Array.from({ length: 400 }, () => random()).sort();
    // Both resampled with the default seed: index by index their resamples coincide.
    const ra = quantileReplicates(a, 0.5);
    const rb = quantileReplicates(b, 0.5);
    const single = percentileInterval(ra)!;
    const diff = percentileInterval(differenceReplicates(ra, rb))!;
    const ratio = (diff.upper - diff.lower) / (single.upper - single.lower);
    expect(ratio).toBeGreaterThan(1.2); // independent samples: about √2
    expect(ratio).toBeLessThan(1.7);
  });

  test('deterministic for a seed; undefined replicates give no interval', () => {
    const stat = (idx: Int32Array) => idx.reduce((s, i) => s + i, 0);
    expect(bootstrapReplicates(10, stat)).toEqual(bootstrapReplicates(10, stat));
    expect(percentileInterval(bootstrapReplicates(10, () => Number.NaN))).toBeNull();
  });
});

test('the seeded generator is uniform and deterministic', () => {
  const random = createRandom(3);
  const bins = new Array<number>(10).fill(0);
  for (let i = 0; i < 100_000; i++) bins[Math.floor(random() * 10)]! += 1;
  const chiSquare = bins.reduce((sum, b) => sum + (b - 10_000) ** 2 / 10_000, 0);
  expect(chiSquare).toBeLessThan(27.9); // 9 degrees of freedom, p = 0.001
  expect(createRandom(3)()).toBe(createRandom(3)());
  expect(createRandom(3)()).not.toBe(createRandom(4)());
});

test('Wilson interval matches published values', () => {
  const half = wilsonInterval(5, 10)!;
  expect(half.lower).toBeCloseTo(0.2366, 3);
  expect(half.upper).toBeCloseTo(0.7634, 3);
  expect(wilsonInterval(0, 10)!.upper).toBeCloseTo(0.2775, 3);
  expect(wilsonInterval(0, 0)).toBeNull();
});

test('Kaplan–Meier on the 6-MP leukaemia remission data (Gehan 1965)', () => {
  // Weeks of remission, + = censored.
  const data = '6 6 6 6+ 7 9+ 10 10+ 11+ 13 16 17+ 19+ 20+ 22 23 25+ 32+ 32+ 34+ 35+'.split(' ');
  const durations = data.map((d) => parseFloat(d));
  const observed = data.map((d) => !d.endsWith('+'));
  const km = kaplanMeier(durations, observed);
  const at = (t: number) => km.steps.filter((s) => s.time <= t).pop()!.survival;
  expect(at(6)).toBeCloseTo(0.857, 3);
  expect(at(7)).toBeCloseTo(0.807, 3);
  expect(at(10)).toBeCloseTo(0.753, 3);
  expect(at(13)).toBeCloseTo(0.69, 3);
  expect(at(16)).toBeCloseTo(0.627, 3);
  expect(at(22)).toBeCloseTo(0.538, 3);
  expect(at(23)).toBeCloseTo(0.448, 3);
  expect(km.median).toBe(23);
  expect(kaplanMeierMedian(durations, observed, Array.from(durations.keys()))).toBe(23);
  expect(km.events).toBe(9);
  expect(km.censored).toBe(12);
  // The log-log band at 13 weeks by hand: Greenwood sum 3/(21·18) + 1/(17·16) + 1/(15·14) + 1/(12·11) = 0.023951,
  // se = √0.023951 / |ln 0.6901| = 0.41723, bounds 0.6901^exp(±1.96·0.41723) = 0.4316 and 0.8490.
  const s13 = km.steps.find((s) => s.time === 13)!;
  expect(s13.lower).toBeCloseTo(0.4316, 3);
  expect(s13.upper).toBeCloseTo(0.849, 3);
});

test('least-squares fit and correlation', () => {
  const fit = linearFit([1, 2, 3, 4], [3, 5, 7, 9]);
  expect(fit.slope).toBeCloseTo(2, 12);
  expect(fit.intercept).toBeCloseTo(1, 12);
  expect(fit.r).toBeCloseTo(1, 12);
  expect(linearFit([1, 1, 1], [1, 2, 3]).r).toBeNaN();
});
