import { evaluateClaims, judge } from '../../analysis/claims';
import type { Metric } from '../../analysis/metrics';
import { platformOf } from '../../analysis/run/platform';
import type { StudyPlan } from '../../experiments/plan-schema';
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

/** run.json of a local coldstart run with the given `local` section. */
const localManifest = (plan: StudyPlan, local: NonNullable<RunManifest['local']>): RunManifest => ({
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
  local,
});

describe('which claims a run checks', () => {
  const plan = catalogPlan('coldstart', 'local', { rounds: 1 });
  const manifest = (profile: string) => localManifest(plan, { profile, timeScale: 30, cpuQuota: { applied: true, reason: null }, faults: [] });

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

  test('a run made by an offline twin checks no claim about the cloud: its probes ran on this machine', () => {
    const gcp = catalogPlan('coldstart', 'gcp', { rounds: 1 });
    const metrics = new Map([['coldstart.warmMedianMs', metric(80, [70, 90], { name: 'coldstart.warmMedianMs', n: 40 })]]);
    const outcome = evaluateClaims(gcp.claims, metrics, platformOf(gcp, null, 'gcp'));
    expect(outcome.checked).toEqual([]);
    expect(outcome.otherPlatforms.map((c) => c.id)).toEqual(gcp.claims.map((c) => c.id));
    expect(outcome.note).toMatch(/made by the gcp offline twin, whose probes ran on this machine, not on gcp/);
  });
});

describe('verdict categories (issue 17 item 8)', () => {
  const plan = catalogPlan('coldstart', 'local', { rounds: 1 });
  const machine: NonNullable<NonNullable<RunManifest['local']>['machine']> = {
    cpus: 2,
    floor: { coldStartMs: { nodejs: 162, python: 90 }, warmMs: 12, concurrency: 28, samples: 56 },
    load: { loadAverage: { median: 1.2, max: 2 }, busyFraction: 0.6, samples: 20 },
  };
  const local = (extra: Partial<NonNullable<RunManifest['local']>> = {}) =>
    localManifest(plan, { profile: 'aws-2018', timeScale: 1, cpuQuota: { applied: true, reason: null }, faults: [], machine, ...extra });
  const verdictOf = (id: string, metrics: Metric[], manifest: RunManifest | null = local(), claims = plan.claims) => {
    const outcome = evaluateClaims(claims, new Map(metrics.map((m) => [m.name, m])), platformOf(plan, manifest));
    return outcome.checked.find((c) => c.claim.id === id)!;
  };
  const latency = (name: string, value: number, extra: Partial<Metric> = {}) =>
    metric(value, [value * 0.9, value * 1.1], { name, n: 100, phase: 'platform', floor: { kind: name.includes('warm') ? 'request' : 'cold-start', runtime: null }, ...extra });

  test('a value a profile knob sets directly is "by construction", whatever the comparison says', () => {
    const constructed = local({ constructed: [{ knob: 'lifecycle.newHostDelayMs', value: '39', metrics: ['coldstart.newHostPenaltyMs'] }] });
    const result = verdictOf('aws-new-host-penalty', [metric(40, [30, 50], { name: 'coldstart.newHostPenaltyMs', n: 30 })], constructed);
    expect(result.verdict).toBe('by construction');
    expect(result.comparison).toBe('consistent');
    expect(result.reason).toMatch(/lifecycle\.newHostDelayMs = 39/);
    // The same value on a run whose profile declares no such knob is judged on measured behaviour.
    expect(verdictOf('aws-new-host-penalty', [metric(40, [30, 50], { name: 'coldstart.newHostPenaltyMs', n: 30 })]).verdict).toBe('consistent');
    // A cloud run never has "by construction" verdicts.
    const aws = catalogPlan('coldstart', 'aws', { rounds: 1 });
    const cloud = evaluateClaims(aws.claims, new Map([['coldstart.newHostPenaltyMs', metric(40, [30, 50], { name: 'coldstart.newHostPenaltyMs', n: 30 })]]), platformOf(aws, null));
    expect(cloud.checked.find((c) => c.claim.id === 'aws-new-host-penalty')!.verdict).toBe('consistent');
  });

  test('a latency within twice the machine\'s floor is "machine-limited"; well above it, it is judged', () => {
    // Cold floor: a no-op request starting a fresh instance (the faster runtime: python, 90 ms), 28 at once.
    const limited = verdictOf('aws-cold-median', [latency('coldstart.coldMedianMs', 170)]);
    expect(limited.verdict).toBe('machine-limited');
    expect(limited.comparison).toBe('consistent');
    expect(limited.reason).toMatch(/within 2× this machine's floor of 90 ms \(no-op requests that start fresh python instances/);
    // Per runtime, the runtime's own floor: 300 ms is within 2× of node's 162 ms.
    expect(verdictOf('node-cold', [latency('coldstart.coldMedianMs.nodejs', 300, { floor: { kind: 'cold-start', runtime: 'nodejs' } })], local(), [
      { ...plan.claims.find((c) => c.id === 'aws-cold-median')!, id: 'node-cold', metric: 'coldstart.coldMedianMs.nodejs' },
    ]).verdict).toBe('machine-limited');
    expect(verdictOf('aws-cold-median', [latency('coldstart.coldMedianMs', 1000)]).verdict).toBe('differs');
    // Warm: the floor is the round trip alone.
    expect(verdictOf('aws-warm-median', [latency('coldstart.warmMedianMs', 20)]).verdict).toBe('machine-limited');
    expect(verdictOf('aws-warm-median', [latency('coldstart.warmMedianMs', 200)]).verdict).toBe('differs');
    // Without the machine's floor (an old run.json, or a cloud run) there is no such category.
    expect(verdictOf('aws-cold-median', [latency('coldstart.coldMedianMs', 170)], local({ machine: undefined })).verdict).toBe('consistent');
  });

  test('a value resting on less evidence than the claim asks for is "insufficient evidence"', () => {
    const idle = catalogPlan('idle-recycling', 'local', {});
    const claimFor = idle.claims.find((c) => c.id === 'gcp-long-idle')!;
    expect(claimFor.minEvidence).toBe(4);
    const gcpRun = { ...local({ profile: 'gcp-2018' }), study: 'idle-recycling', planHash: idle.hash };
    const outcome = (n: number) =>
      evaluateClaims(idle.claims, new Map([['idle.survivingFractionAt120Min', metric(0, [0, 0.66], { name: 'idle.survivingFractionAt120Min', unit: 'fraction', n })]]), platformOf(idle, gcpRun)).checked.find(
        (c) => c.claim.id === 'gcp-long-idle',
      )!;
    // 0 of 2 instances alive at 120 min passed for "consistent" with 18 %.
    expect(outcome(2).verdict).toBe('insufficient evidence');
    expect(outcome(2).reason).toMatch(/rests on 2 unit\(s\).*needs at least 4/);
    expect(outcome(8).verdict).toBe('consistent');
  });

  test('latency verdicts of a loaded run carry the load; other verdicts do not', () => {
    const loaded = local({ machine: { ...machine, load: { loadAverage: { median: 15, max: 18 }, busyFraction: 1, samples: 30 } } });
    const warm = verdictOf('aws-warm-median', [latency('coldstart.warmMedianMs', 200)], loaded);
    expect(warm.flags).toEqual([expect.stringMatching(/measured under load: load average 15 \(max 18\) on 2 cores, cores 100 % busy/)]);
    const penalty = verdictOf('aws-new-host-penalty', [metric(40, [30, 50], { name: 'coldstart.newHostPenaltyMs', n: 30 })], loaded);
    expect(penalty.flags).toEqual([]);
    expect(verdictOf('aws-warm-median', [latency('coldstart.warmMedianMs', 200)]).flags).toEqual([]);
  });
});
