import { analyzeRun } from '../../analysis';
import { idleMetrics } from '../../analysis/studies/idle-recycling';
import { catalogPlan, type SyntheticInstance, SyntheticRun } from './synthetic/synthetic-run';
import { useTmpDir } from './synthetic/tmp-dir';

const tmp = useTmpDir();

/**
 * All functions are warmed at platform time 0; the function of gap g is revisited at g minutes.
 * `survives(gap, run)` decides, per warmed instance, whether it is still alive then.
 */
function idleRun(provider: 'local' | 'azure' | 'gcp', survives: (gapMinutes: number, run: SyntheticRun) => boolean) {
  // Only the local platform runs its timers faster than real time.
  const scale = provider === 'local' ? 60 : 1;
  const plan = catalogPlan('idle-recycling', provider, { instances: 20 });
  const run = new SyntheticRun(plan, { profile: 'aws-2018', timeScale: scale });
  const start = run.now;
  const host = run.host();
  const warm = new Map<string, SyntheticInstance[]>();
  const warmUp = run.burst('warm-up');
  for (let r = 0; r < warmUp.requests; r++) {
    const instance = run.instance(host);
    const fn = warmUp.targets[r % warmUp.targets.length]!;
    warm.set(fn, [...(warm.get(fn) ?? []), instance]);
    run.record(warmUp, r, { instance, sentAt: start + r * 0.01, latencyMs: 5 });
  }
  const gaps = plan.parameters.gapsMinutes as number[];
  run.bursts('after-idle').forEach((step, i) => {
    const gap = gaps[i]!;
    const fn = step.targets[0]!;
    const alive = warm.get(fn)!.filter(() => survives(gap, run));
    for (let r = 0; r < step.requests; r++) {
      const instance = alive[r] ?? run.instance(host);
      run.record(step, r, { instance, sentAt: start + (gap * 60_000) / scale + 5, latencyMs: 5 });
    }
  });
  return run;
}

describe('idle-recycling analysis on synthetic records', () => {
  test('timeouts drawn from 21–27 min (aws-2018): max survived gap, recycled fraction at 26 min, consistent timeout', async () => {
    const run = idleRun('local', (gap, r) => r.uniform(21, 27) > gap);
    const a = await analyzeRun(run.write(tmp()));
    const max = a.metrics.get('idle.maxSurvivedGapMinutes')!;
    expect(max.value as number).toBeGreaterThanOrEqual(20);
    expect(max.value as number).toBeLessThanOrEqual(26.1);
    expect(max.interval![1]).toBeLessThanOrEqual(27.1);
    const timeout = a.metrics.get('idle.estimatedTimeoutMinutes')!;
    expect(timeout.value as number).toBeGreaterThan(20);
    expect(timeout.value as number).toBeLessThan(27);
    const at26 = a.metrics.get('idle.recycledFractionAt26Min')!;
    expect(at26.interval![0]).toBeLessThanOrEqual(5 / 6);
    expect(at26.interval![1]).toBeGreaterThanOrEqual(5 / 6);
    expect(a.metrics.get('idle.consistentTimeout')!.value).toBe(true);
    const verdicts = Object.fromEntries(a.claims.checked.map((c) => [c.claim.id, c.verdict]));
    expect(verdicts).toEqual({ 'aws-max-idle': 'consistent', 'aws-recycled-at-26': 'consistent' });
  });

  test('survival at random whatever the gap (Azure): no consistent timeout', async () => {
    const a = await analyzeRun(idleRun('azure', (_gap, r) => r.uniform(0, 1) < 0.5).write(tmp()));
    expect(a.metrics.get('idle.consistentTimeout')!.value).toBe(false);
    expect(a.claims.checked.map((c) => [c.claim.id, c.verdict])).toEqual([['azure-inconsistent', 'consistent']]);
  });

  test('18 % still alive after 120 min (Google)', async () => {
    const a = await analyzeRun(idleRun('gcp', (gap, r) => (gap < 60 ? true : r.uniform(0, 1) < 0.18)).write(tmp()));
    const at120 = a.metrics.get('idle.survivingFractionAt120Min')!;
    expect(at120.interval![0]).toBeLessThanOrEqual(0.18);
    expect(at120.interval![1]).toBeGreaterThanOrEqual(0.18);
    expect(a.metrics.get('idle.maxSurvivedGapMinutes')!.bound).toBe('lower');
  });

  test('a survivor serving the whole burst in turn: the other idle instances are not reached, not counted as recycled', async () => {
    const plan = catalogPlan('idle-recycling', 'aws', { instances: 3, gapsMinutes: [5, 40] });
    const run = new SyntheticRun(plan);
    const host = run.host();
    const start = run.now;
    const warm = new Map<string, SyntheticInstance[]>();
    const warmUp = run.burst('warm-up');
    for (let r = 0; r < warmUp.requests; r++) {
      const fn = warmUp.targets[r % warmUp.targets.length]!;
      const instance = run.instance(host);
      warm.set(fn, [...(warm.get(fn) ?? []), instance]);
      run.record(warmUp, r, { instance, sentAt: start + r });
    }
    const [short, long] = run.bursts('after-idle');
    // After 5 min one warm instance answers all three requests, one after the other.
    for (let r = 0; r < 3; r++) run.record(short!, r, { instance: warm.get(short!.targets[0]!)![0]!, sentAt: start + 5 * 60_000 + r });
    // After 40 min one survivor answers and two new instances are needed: the other two were recycled.
    const survivor = warm.get(long!.targets[0]!)![1]!;
    run.record(long!, 0, { instance: survivor, sentAt: start + 40 * 60_000 });
    for (let r = 1; r < 3; r++) run.record(long!, r, { instance: run.instance(host), sentAt: start + 40 * 60_000 + r });
    const a = await analyzeRun(run.write(tmp()));
    const table = a.output.sections.find((s) => s.title === 'Idle gaps')!.body;
    expect(table).toMatch(/\| node-m128-a-0 \| 5 \| 3 \| 1 \| 0 \| 2 \| 1 \|/);
    expect(table).toMatch(/\| node-m128-a-1 \| 40 \| 3 \| 1 \| 2 \| 0 \| 0.333 \|/);
    expect(a.output.notes.join(' ')).toMatch(/2 idle instance\(s\) were neither seen again nor shown recycled/);
  });

  test('gaps are measured from timestamps, not taken from the plan', () => {
    const metrics = idleMetrics([
      { function: 'a', gapMinutes: 10, trials: 10, survived: 10 },
      { function: 'b', gapMinutes: 25.9, trials: 10, survived: 1 },
      { function: 'c', gapMinutes: 31, trials: 10, survived: 0 },
    ]);
    const byName = Object.fromEntries(metrics.map((m) => [m.name, m]));
    expect(byName['idle.maxSurvivedGapMinutes']!.value).toBe(25.9);
    expect(byName['idle.maxSurvivedGapMinutes']!.interval).toEqual([25.9, 31]);
    expect(byName['idle.recycledFractionAt26Min']!.value).toBe(0.9);
    expect(byName['idle.estimatedTimeoutMinutes']!.value).toBeCloseTo((10 + 25.9) / 2);
    expect(byName['idle.survivingFractionAt120Min']!.reason).toMatch(/no gap within 6 min of 120 min/);
  });
});
