import { analyzeRun } from '../../analysis';
import { catalogPlan, type SyntheticHost, SyntheticRun } from './synthetic/synthetic-run';
import { useTmpDir } from './synthetic/tmp-dir';

const tmp = useTmpDir();

/**
 * Ground truth: warm ≈ U(20, 30) ms, cold ≈ U(200, 300) ms plus 39 ms when the
 * instance opens a new host; the first round opens hosts, later rounds reuse
 * them for half the instances.
 */
function coldstartRun(rounds = 12) {
  const plan = catalogPlan('coldstart', 'local', { rounds, memoryMb: [128, 1024], concurrent: 2 });
  const run = new SyntheticRun(plan, { profile: 'aws-2018' });
  const hosts: SyntheticHost[] = [];
  const cold = run.bursts('cold');
  const warm = run.bursts('warm');
  let newHostColdStarts = 0;
  cold.forEach((step, round) => {
    const instances = Array.from({ length: step.requests }, (_, r) => {
      const reuse = round > 0 && r % 2 === 0 && hosts.length > 0;
      const host = reuse ? hosts[r % hosts.length]! : run.host();
      if (!reuse) {
        hosts.push(host);
        newHostColdStarts += 1;
      }
      const instance = run.instance(host);
      run.record(step, r, { instance, latencyMs: run.uniform(200, 300) + (reuse ? 0 : 39) });
      return instance;
    });
    for (let r = 0; r < warm[round]!.requests; r++) run.record(warm[round]!, r, { instance: instances[r]!, latencyMs: run.uniform(20, 30) });
  });
  return { run, newHostColdStarts };
}

describe('coldstart analysis on synthetic records', () => {
  test('recovers warm and cold medians and the new-host penalty, and judges the AWS claims', async () => {
    const { run } = coldstartRun();
    const a = await analyzeRun(run.write(tmp()));
    const warm = a.metrics.get('coldstart.warmMedianMs')!;
    const cold = a.metrics.get('coldstart.coldMedianMs')!;
    const penalty = a.metrics.get('coldstart.newHostPenaltyMs')!;
    expect(warm.value).toBeGreaterThan(23);
    expect(warm.value).toBeLessThan(27);
    expect(warm.interval![0]).toBeLessThanOrEqual(25);
    expect(warm.interval![1]).toBeGreaterThanOrEqual(25);
    expect(cold.value).toBeGreaterThan(240);
    expect(cold.value).toBeLessThan(290);
    expect(penalty.interval![0]).toBeLessThanOrEqual(39);
    expect(penalty.interval![1]).toBeGreaterThanOrEqual(39);
    expect(penalty.interval![0]).toBeGreaterThan(0);
    // per memory and runtime
    expect(a.metrics.get('coldstart.coldMedianMs.m128')!.n).toBeGreaterThan(0);
    expect(a.metrics.get('coldstart.warmMedianMs.python')!.n).toBeGreaterThan(0);
    const verdicts = Object.fromEntries(a.claims.checked.map((c) => [c.claim.id, c.verdict]));
    expect(verdicts).toEqual({ 'aws-warm-median': 'consistent', 'aws-cold-median': 'consistent', 'aws-new-host-penalty': 'consistent' });
    expect(a.claims.otherPlatforms.map((c) => c.provider).sort()).toEqual(['azure', 'azure', 'gcp', 'gcp', 'gcp']);
    expect(a.output.figures.length).toBeGreaterThanOrEqual(1);
  });

  test('a warm median far from the paper differs', async () => {
    const plan = catalogPlan('coldstart', 'aws', { rounds: 3, memoryMb: [128], runtimes: ['nodejs'] });
    const run = new SyntheticRun(plan);
    const host = run.host();
    for (let round = 0; round < 3; round++) {
      const instances = Array.from({ length: 2 }, (_, r) => {
        const instance = run.instance(host);
        run.record(run.burst('cold', round), r, { instance, latencyMs: 260 });
        return instance;
      });
      instances.forEach((instance, r) => run.record(run.burst('warm', round), r, { instance, latencyMs: 90 + r }));
    }
    const a = await analyzeRun(run.write(tmp()));
    const warm = a.claims.checked.find((c) => c.claim.id === 'aws-warm-median')!;
    expect(warm.verdict).toBe('differs');
    // One host: the first round's cold starts opened it, later ones reused it at the same latency.
    expect(a.metrics.get('coldstart.newHostPenaltyMs')!.value).toBe(0);
    expect(a.claims.checked.find((c) => c.claim.id === 'aws-new-host-penalty')!.verdict).toBe('differs');
  });
});
