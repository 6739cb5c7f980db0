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
function lifetimeRun(o: { hours: number; slots: number; lifetimeHours: (run: SyntheticRun) => number; scale: number; surplusChance?: number }) {
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
      // Now and then a surplus instance takes one request, is never needed again and idles out:
      // its end says nothing about the lifetime limit.
      const surplus = r === 0 && tick > 0 && run.uniform(0, 1) < (o.surplusChance ?? 0);
      const instance = surplus ? run.instance(host, { startedAt: realNow }) : slots[r]!.instance;
      run.record(step, r, { instance, sentAt: realNow + r * 0.01, latencyMs: 2 });
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

  test('surplus instances that idle out are a competing risk, censored: the lifetime median stays 6.2 h (issue 17 item 4)', async () => {
    const run = lifetimeRun({ hours: 24, slots: 10, scale: 100, surplusChance: 0.4, lifetimeHours: (r) => r.uniform(4, 8.4) });
    const a = await analyzeRun(run.write(tmp()));
    const m = a.metrics.get('lifetime.medianHours')!;
    // Counting the surplus instances' ends (each a few minutes old) as deaths put the median below 1 h.
    expect(Math.abs((m.value as number) - 6.2)).toBeLessThan(0.8);
    expect(m.interval![0]).toBeLessThanOrEqual(6.2);
    expect(m.interval![1]).toBeGreaterThanOrEqual(6.2 - 10 / 60);
    const surplus = a.metrics.get('lifetime.surplusEnds')!.value as number;
    expect(surplus).toBeGreaterThan(30);
    const deaths = a.metrics.get('lifetime.deaths')!.value as number;
    // 10 slots over 24 h with lifetimes of 4–8.4 h: about 10 × (24 / 6.2 − 1) ends by lifetime before the end.
    expect(deaths).toBeGreaterThan(20);
    expect(deaths).toBeLessThan(40);
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
