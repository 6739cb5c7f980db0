import { readFileSync } from 'node:fs';
import path from 'node:path';
import { adjustedRandIndex } from '../../local/method-check/adjusted-rand';
import { PROFILES, resolveProfile } from '../../local/profiles';

const partition = (groups: string[][]) => new Map(groups.flatMap((g, i) => g.map((item) => [item, `g${i}`] as const)));

describe('adjusted Rand index', () => {
  test('1 for the same partition whatever the labels; ~0 or below for unrelated ones', () => {
    const a = partition([['a', 'b', 'c'], ['d', 'e'], ['f']]);
    const relabelled = new Map([...a].map(([k, v]) => [k, `other-${v}`]));
    expect(adjustedRandIndex(a, relabelled)).toBe(1);
    expect(adjustedRandIndex(partition([['a'], ['b'], ['c']]), partition([['a'], ['b'], ['c']]))).toBe(1);
    // Merging two true groups: pairs agree only in part.
    expect(adjustedRandIndex(a, partition([['a', 'b', 'c', 'd', 'e'], ['f']]))).toBeLessThan(0.7);
    expect(adjustedRandIndex(partition([['a', 'b'], ['c', 'd']]), partition([['a', 'c'], ['b', 'd']]))).toBeLessThan(0);
  });

  test('matches a hand computation (Hubert & Arabie): contingency [[2,1],[0,2]]', () => {
    // Pairs: index = C(2,2) + C(1,2) + C(2,2) = 2; rows C(3,2)+C(2,2) = 4; cols C(2,2)+C(3,2) = 4; n = 5, C(5,2) = 10.
    // expected = 4·4/10 = 1.6, max = 4: ARI = (2 − 1.6) / (4 − 1.6) = 1/6.
    const truth = partition([['a', 'b', 'c'], ['d', 'e']]);
    const inferred = partition([['a', 'b'], ['c', 'd', 'e']]);
    expect(adjustedRandIndex(inferred, truth)).toBeCloseTo(1 / 6, 12);
  });
});

describe('profiles: the metrics a knob sets directly (by construction)', () => {
  const documented = readFileSync(path.join(__dirname, '../../docs/analysis.md'), 'utf8');
  test.each(Object.keys(PROFILES))('%s: every knob exists and every metric is one an analysis documents', (name) => {
    const profile = resolveProfile(name);
    for (const [knob, metrics] of Object.entries(profile.determines)) {
      const value = knob.split('.').reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], profile);
      expect([knob, value]).not.toEqual([knob, undefined]);
      for (const metric of metrics) expect([knob, documented.includes(`\`${metric}\``)]).toEqual([knob, true]);
    }
  });

  test('a profile that models a cloud says when (its billing rules apply); one that models none does not', () => {
    expect(resolveProfile('aws-2018').modelsAsOf).toBe('2018-01');
    expect(resolveProfile('modern')).toMatchObject({ models: null, modelsAsOf: null, determines: {} });
  });
});
