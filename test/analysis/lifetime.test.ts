import { analyzeRun } from '../../analysis';
import { catalogPlan, type SyntheticInstance, SyntheticRun } from './synthetic/synthetic-run';
import { useTmpDir } from './synthetic/tmp-dir';

const tmp = useTmpDir();
const HOUR = 3_600_000;

/**
 * `slots` instances kept busy by a burst every `intervalSeconds` of platform time;
 * an instance dies at its drawn lifetime and the next burst gets a new one.
 * The run is local with time scale `scale`: real timestamps are platform time / scale.
 */
function lifetimeRun(o: { hours: number; slots: number; lifetimeHours: (run: SyntheticRun) => number; scale: number }) {
  const intervalSeconds = 600;
  const plan = catalogPlan('lifetime', 'local', { hours: o.hours, intervalSeconds, instances: o.slots });
  const run = new SyntheticRun(plan, { profile: 'aws-2018', timeScale: o.scale });
  const start = run.now;
  const host = run.host();
  const slots: { instance: SyntheticInstance; diesAt: number }[] = [];
  run.bursts('tick').forEach((step, tick) => {
    const platformNow = tick * intervalSeconds * 1000;
    const realNow = start + platformNow / o.scale;
    for (let r = 0; r < step.requests; r++) {
      if (!slots[r] || slots[r]!.diesAt <= platformNow) {
        slots[r] = { instance: run.instance(host, { startedAt: realNow }), diesAt: platformNow + o.lifetimeHours(run) * HOUR };
      }
      run.record(step, r, { instance: slots[r]!.instance, sentAt: realNow + r * 0.01, latencyMs: 2 });
    }
  });
  return run;
}

describe('lifetime analysis on synthetic records', () => {
  test('recovers a median lifetime of 6.2 h (exponential lifetimes, censoring, time scale 100)', async () => {
    const median = 6.2;
    const run = lifetimeRun({ hours: 24, slots: 50, scale: 100, lifetimeHours: (r) => (-Math.log(1 - r.uniform(0, 1)) * median) / Math.LN2 });
    const a = await analyzeRun(run.write(tmp()));
    const m = a.metrics.get('lifetime.medianHours')!;
    expect(m.interval![0]).toBeLessThanOrEqual(median);
    expect(m.interval![1]).toBeGreaterThanOrEqual(median - 10 / 60); // ticks every 10 min: last seen up to 10 min before death
    expect(Math.abs((m.value as number) - median)).toBeLessThan(1.5);
    expect(a.metrics.get('lifetime.deaths')!.value as number).toBeGreaterThan(50);
    expect(a.claims.checked[0]!.verdict).toBe('consistent');
    expect(a.output.figures[0]!.caption).toContain('× 100');
  });

  test('instances that outlive the study: the median is only a lower bound, not a verdict', async () => {
    const run = lifetimeRun({ hours: 3, slots: 5, scale: 1, lifetimeHours: () => 100 });
    const a = await analyzeRun(run.write(tmp()));
    const m = a.metrics.get('lifetime.medianHours')!;
    expect(m.bound).toBe('lower');
    expect(m.value as number).toBeGreaterThan(2.7);
    expect(a.metrics.get('lifetime.deaths')!.value).toBe(0);
    expect(a.claims.checked[0]!.verdict).toBe('not measurable here');
  });

  test('short lifetimes that end well before the claim: differs', async () => {
    const run = lifetimeRun({ hours: 12, slots: 10, scale: 10, lifetimeHours: () => 1 });
    const a = await analyzeRun(run.write(tmp()));
    const m = a.metrics.get('lifetime.medianHours')!;
    expect(m.value as number).toBeGreaterThan(0.7);
    expect(m.value as number).toBeLessThanOrEqual(1);
    expect(a.claims.checked[0]!.verdict).toBe('differs');
  });
});
