import { analyzeRun } from '../../analysis';
import { catalogPlan, SyntheticRun } from './synthetic/synthetic-run';
import { useTmpDir } from './synthetic/tmp-dir';

const tmp = useTmpDir();

/** Every level gets min(level, cap) instances; requests beyond the cap queue on them or are throttled. */
function scalabilityRun(provider: 'aws' | 'azure' | 'gcp', instancesFor: (level: number) => number, throttleBeyond = Infinity) {
  const plan = catalogPlan('scalability', provider, { step: 5, maxConcurrency: 20 });
  const run = new SyntheticRun(plan);
  const host = run.host();
  for (const step of run.bursts('level')) {
    const instances = Array.from({ length: instancesFor(step.requests) }, () => run.instance(host));
    for (let r = 0; r < step.requests; r++) {
      if (r >= throttleBeyond) run.record(step, r, { status: 'throttled' });
      else run.record(step, r, { instance: instances[r % instances.length]! });
    }
  }
  return run;
}

describe('scalability analysis on synthetic records', () => {
  test('one instance per request: ratio 1 at the top level (AWS claim consistent)', async () => {
    const a = await analyzeRun(scalabilityRun('aws', (level) => level).write(tmp()));
    expect(a.metrics.get('scalability.instanceRatioAtMax')!.value).toBe(1);
    expect(a.metrics.get('scalability.maxInstances')!.value).toBe(20);
    expect(a.claims.checked[0]!.verdict).toBe('consistent');
  });

  test('half the requested instances, the rest queued (Google claim consistent, AWS claim would differ)', async () => {
    const a = await analyzeRun(scalabilityRun('gcp', (level) => Math.ceil(level / 2)).write(tmp()));
    expect(a.metrics.get('scalability.instanceRatioAtMax')!.value).toBe(0.5);
    expect(a.claims.checked.map((c) => [c.claim.id, c.verdict])).toEqual([['gcp-about-half', 'consistent']]);
    expect(a.output.sections[0]!.body).toContain('| 0007-burst-level | 20 | 10 | 0.5 | 10 | 0 | 0 |');
  });

  test('a cap of 10 instances with throttling beyond 15 requests (Azure claim consistent)', async () => {
    const a = await analyzeRun(scalabilityRun('azure', (level) => Math.min(level, 10), 15).write(tmp()));
    expect(a.metrics.get('scalability.maxInstances')!.value).toBe(10);
    expect(a.metrics.get('scalability.throttledFractionAtMax')!.value).toBe(5 / 20);
    expect(a.ledger.byStatus.throttled).toBe(5);
    expect(a.claims.checked[0]!.verdict).toBe('consistent');
  });
});
