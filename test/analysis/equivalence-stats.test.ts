/**
 * The statistics behind `curtain compare`: Student's t against published
 * table values, Holm's adjustment against R's p.adjust, and the equivalence /
 * difference tests against the interval rules they stand for.
 */
import { equivalenceTest } from '../../analysis/stats/equivalence';
import { holmAdjust } from '../../analysis/stats/multiplicity';
import { createRandom, randomNormal } from '../../analysis/stats/random';
import { logGamma, studentTCdf, studentTQuantile } from '../../analysis/stats/student-t';

describe("Student's t", () => {
  // Critical values as printed in any t table (e.g. NIST/SEMATECH e-Handbook of Statistical
  // Methods, §1.3.6.7.2, "Critical values of the Student's t distribution"; R's qt() agrees).
  test.each([
    [0.975, 1, 12.706],
    [0.975, 2, 4.303],
    [0.95, 2, 2.92],
    [0.975, 5, 2.571],
    [0.975, 10, 2.228],
    [0.995, 30, 2.75],
    [0.975, 100, 1.984],
    [0.975, Number.POSITIVE_INFINITY, 1.96],
  ])('quantile %f with %f degrees of freedom is %f', (p, df, expected) => {
    // The tables print 3 decimals (4 significant digits).
    expect(Math.abs(studentTQuantile(p, df) - expected) / expected).toBeLessThan(3e-4);
    expect(studentTQuantile(1 - p, df)).toBeCloseTo(-studentTQuantile(p, df), 9);
  });

  test('CDF: symmetric, inverse of the quantile, exact for df = 1 and 2', () => {
    // df = 1 is Cauchy: F(t) = 1/2 + atan(t)/π; df = 2: F(t) = 1/2 + t / (2 √(2 + t²)).
    for (const t of [-7, -1.3, 0, 0.4, 2, 30]) {
      expect(studentTCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 10);
      expect(studentTCdf(t, 2)).toBeCloseTo(0.5 + t / (2 * Math.sqrt(2 + t * t)), 10);
      expect(studentTCdf(t, 7) + studentTCdf(-t, 7)).toBeCloseTo(1, 12);
    }
    for (const df of [1, 3, 12, 250]) for (const p of [0.001, 0.05, 0.6, 0.99]) expect(studentTCdf(studentTQuantile(p, df), df)).toBeCloseTo(p, 9);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
  });
});

describe("Holm's adjustment", () => {
  test("matches R's p.adjust(p, 'holm')", () => {
    // p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") == c(0.03, 0.06, 0.06, 0.02)
    const adjusted = holmAdjust([0.01, 0.04, 0.03, 0.005]);
    [0.03, 0.06, 0.06, 0.02].forEach((e, i) => expect(adjusted[i]).toBeCloseTo(e, 12));
    expect(holmAdjust([0.5, 0.9])).toEqual([1, 1]);
  });

  test('entries that are not tests stay out of the family', () => {
    const adjusted = holmAdjust([Number.NaN, 0.02, Number.NaN, 0.01]);
    expect(adjusted[0]).toBeNaN();
    expect(adjusted[2]).toBeNaN();
    expect(adjusted[1]).toBeCloseTo(0.02, 12);
    expect(adjusted[3]).toBeCloseTo(0.02, 12);
  });
});

describe('equivalence and difference against a margin', () => {
  const margin = { lower: -1, upper: 1 };

  test('TOST at α is the (1 − 2α) interval inside the margin; "beyond" is the (1 − α) interval outside it', () => {
    const random = createRandom(5);
    for (let i = 0; i < 2000; i++) {
      const estimate = randomNormal(random) * 1.5;
      const se = 0.05 + random();
      const df = [3, 10, Number.POSITIVE_INFINITY][i % 3]!;
      const r = equivalenceTest(estimate, se, df, margin, 0.05);
      const inside = r.equivalenceInterval[0] >= margin.lower && r.equivalenceInterval[1] <= margin.upper;
      expect(r.pEquivalent <= 0.05).toBe(inside);
      const outside = r.interval[0] > margin.upper || r.interval[1] < margin.lower;
      expect(r.pBeyond <= 0.05).toBe(outside);
      // Never both.
      expect(r.pEquivalent <= 0.05 && r.pBeyond <= 0.05).toBe(false);
    }
  });

  test('at the boundary of the margin each test errs at its nominal rate', () => {
    // True difference exactly at the margin: "equivalent" should come out ≤ 5 % of the time,
    // "beyond" ≤ 2.5 % (its interval is two-sided).
    const random = createRandom(11);
    const trials = 20000;
    let equivalent = 0;
    let beyond = 0;
    for (let i = 0; i < trials; i++) {
      const estimate = 1 + 0.3 * randomNormal(random);
      const r = equivalenceTest(estimate, 0.3, Number.POSITIVE_INFINITY, margin, 0.05);
      if (r.pEquivalent <= 0.05) equivalent++;
      if (r.pBeyond <= 0.05) beyond++;
    }
    expect(equivalent / trials).toBeGreaterThan(0.04);
    expect(equivalent / trials).toBeLessThan(0.06);
    expect(beyond / trials).toBeGreaterThan(0.018);
    expect(beyond / trials).toBeLessThan(0.032);
  });

  test('a zero standard error is an exact comparison with the margin', () => {
    expect(equivalenceTest(0.5, 0, Number.POSITIVE_INFINITY, margin, 0.05)).toMatchObject({ pEquivalent: 0, pBeyond: 1 });
    expect(equivalenceTest(1.5, 0, Number.POSITIVE_INFINITY, margin, 0.05)).toMatchObject({ pEquivalent: 1, pBeyond: 0 });
    // An exact margin (0) on a sampled value: never equivalent, "beyond" is the usual test against 0.
    const r = equivalenceTest(0.1, 1, Number.POSITIVE_INFINITY, { lower: 0, upper: 0 }, 0.05);
    expect(r.pEquivalent).toBeGreaterThan(0.5);
    expect(r.pBeyond).toBeCloseTo(2 * (1 - studentTCdf(0.1, Number.POSITIVE_INFINITY)), 9);
  });
});
