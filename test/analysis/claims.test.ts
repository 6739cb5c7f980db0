import { evaluateClaims, judge } from '../../analysis/claims';
import type { Metric } from '../../analysis/metrics';
import { platformOf } from '../../analysis/run/platform';
import type { Claim, Expectation } from '../../experiments/schema';
import type { RunManifest } from '../../probe-runtime/contracts/run-manifest';
import { catalogPlan } from './synthetic/synthetic-run';

const claim = (expected: Expectation, provider: Claim['provider'] = 'aws'): Claim => ({
  id: 'c',
  statement: 's',
  provider,
  confidence: 'S',
  source: 'test',
  metric: 'm',
  expected,
});
const metric = (value: Metric['value'], interval: [number, number] | null = null, extra: Partial<Metric> = {}): Metric => ({
  name: 'm',
  description: 'd',
  unit: 'ms',
  value,
  interval,
  method: 'test',
  n: 10,
  ...extra,
});

describe('claim verdicts', () => {
  const approx: Expectation = { kind: 'approx', value: 100, unit: 'ms', tolerance: 0.2 };
  test.each([
    ['value inside the band', metric(110), 'consistent'],
    ['value outside, no interval', metric(130), 'differs'],
    ['value outside but the interval reaches the band', metric(130, [115, 150]), 'consistent'],
    ['interval entirely outside', metric(130, [121, 150]), 'differs'],
    ['no value', metric(null, null, { reason: 'no data' }), 'not measurable here'],
    ['a boolean where a number is expected', metric(true), 'not measurable here'],
  ])('approx: %s', (_name, m, verdict) => {
    expect(judge(claim(approx), m).verdict).toBe(verdict);
  });

  test('at-most, at-least, range and boolean', () => {
    expect(judge(claim({ kind: 'at-most', value: 0, unit: 'hosts' }), metric(0)).verdict).toBe('consistent');
    expect(judge(claim({ kind: 'at-most', value: 0, unit: 'hosts' }), metric(1)).verdict).toBe('differs');
    expect(judge(claim({ kind: 'at-least', value: 0.9, unit: 'r' }), metric(0.85, [0.8, 0.92])).verdict).toBe('consistent');
    expect(judge(claim({ kind: 'at-least', value: 0.9, unit: 'r' }), metric(0.85, [0.8, 0.88])).verdict).toBe('differs');
    expect(judge(claim({ kind: 'range', min: 1, max: 2, unit: 'x' }), metric(3, [2.5, 3.5])).verdict).toBe('differs');
    expect(judge(claim({ kind: 'boolean', value: true }), metric(true)).verdict).toBe('consistent');
    expect(judge(claim({ kind: 'boolean', value: true }), metric(false)).verdict).toBe('differs');
    expect(judge(claim({ kind: 'boolean', value: true }), null).verdict).toBe('not measurable here');
  });

  test('a lower bound: differs above the band, consistent inside it, not measurable below it', () => {
    const lowerBound = (v: number) => metric(v, null, { bound: 'lower' });
    expect(judge(claim(approx), lowerBound(200)).verdict).toBe('differs'); // at least 200 > 120: cannot be ≈100
    expect(judge(claim(approx), lowerBound(90)).verdict).toBe('consistent'); // the band starts at 80
    expect(judge(claim(approx), lowerBound(50)).verdict).toBe('not measurable here');
  });
});

describe('which claims a run checks', () => {
  const plan = catalogPlan('coldstart', 'local', { rounds: 1 });
  const manifest = (profile: string): RunManifest => ({
    v: 1,
    study: 'coldstart',
    run: 'r',
    provider: 'local',
    region: 'local',
    planHash: plan.hash,
    tool: { name: 'curtain', version: '0' },
    bundles: { probe: null, driver: null, pythonProbe: null },
    templateHash: null,
    startedAt: '2026-11-26T00:00:00.000Z',
    endedAt: null,
    status: 'completed',
    stepsTotal: 1,
    stepsCompleted: 1,
    failures: [],
    notes: [],
    local: { profile, timeScale: 30, cpuQuota: { applied: true, reason: null }, faults: [] },
  });

  test('a local run checks the claims of the platform its profile models', () => {
    const platform = platformOf(plan, manifest('aws-2018'));
    expect(platform).toMatchObject({ emulated: true, modelled: 'aws', timeScale: 30 });
    const outcome = evaluateClaims(plan.claims, new Map(), platform);
    expect(outcome.checked.every((c) => c.claim.provider === 'aws')).toBe(true);
    expect(outcome.checked.length).toBe(3);
    expect(outcome.checked.every((c) => c.verdict === 'not measurable here')).toBe(true);
  });

  test('a profile that models no cloud checks nothing and says why', () => {
    const outcome = evaluateClaims(plan.claims, new Map(), platformOf(plan, manifest('modern')));
    expect(outcome.checked).toEqual([]);
    expect(outcome.note).toMatch(/"modern" models none of aws, azure, gcp/);
  });

  test('a cloud run checks its own provider', () => {
    const gcp = catalogPlan('coldstart', 'gcp', { rounds: 1 });
    const outcome = evaluateClaims(gcp.claims, new Map(), platformOf(gcp, null));
    expect(outcome.checked.map((c) => c.claim.id)).toEqual(['gcp-warm-median', 'gcp-cold-128', 'gcp-cold-2048']);
  });
});
