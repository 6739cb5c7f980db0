import { analyzeRun } from '../../analysis';
import { catalogPlan, SyntheticRun, taskResult } from './synthetic/synthetic-run';
import { useTmpDir } from './synthetic/tmp-dir';

const tmp = useTmpDir();

describe('contention analysis on synthetic records', () => {
  test('throughput divided by the number of co-resident instances: 16× slowdown at 16 (AWS claim consistent)', async () => {
    const plan = catalogPlan('contention', 'aws', { levels: [1, 2, 4, 8, 16] });
    const run = new SyntheticRun(plan);
    const bursts = run.bursts();
    for (let i = 0; i < bursts.length; i += 2) {
      const [io, net] = [bursts[i]!, bursts[i + 1]!];
      const host = run.host();
      const instances = Array.from({ length: io.requests }, () => run.instance(host));
      const n = io.requests;
      instances.forEach((instance, r) => run.record(io, r, { instance, task: taskResult('io', { mbPerSec: 100 / n }) }));
      instances.forEach((instance, r) => run.record(net, r, { instance, task: taskResult('net', { mbitPerSec: 1000 / n }) }));
    }
    const a = await analyzeRun(run.write(tmp()));
    expect(a.metrics.get('contention.maxSlowdown')!.value).toBeCloseTo(16, 6);
    expect(a.metrics.get('contention.ioSlowdown')!.value).toBeCloseTo(16, 6);
    expect(a.metrics.get('contention.netSlowdown')!.value).toBeCloseTo(16, 6);
    expect(a.metrics.get('contention.debasedInstanceFraction')!.value).toBe(0);
    expect(a.claims.checked.map((c) => [c.claim.id, c.verdict])).toEqual([['aws-contention-19x', 'consistent']]);
    expect(a.output.figures.map((f) => f.file)).toEqual(['contention-io.svg', 'contention-net.svg', 'labels-cold-fraction.svg']);
  });

  test('a slow VM type carrying 11 of 20 instances: debased fraction 0.55 (Azure claim consistent)', async () => {
    const plan = catalogPlan('contention', 'azure', { levels: [20] });
    const run = new SyntheticRun(plan);
    const [io] = run.bursts('io');
    for (let r = 0; r < io!.requests; r++) {
      const slow = r < 11;
      // Every instance alone on its host; the slow type has another CPU model and a third of the throughput.
      const host = run.host({ cpuModel: slow ? 'AMD Opteron(tm) Processor 4171 HE' : 'Intel(R) Xeon(R) CPU E5-2673 v4 @ 2.30GHz' });
      run.record(io!, r, { instance: run.instance(host), task: taskResult('io', { mbPerSec: slow ? 30 * run.uniform(0.9, 1.1) : 90 * run.uniform(0.9, 1.1) }) });
    }
    const a = await analyzeRun(run.write(tmp()));
    const debased = a.metrics.get('contention.debasedInstanceFraction')!;
    expect(debased.value).toBe(0.55);
    expect(a.metrics.get('contention.maxSlowdown')!.reason).toMatch(/both alone on a host and with co-residents/);
    expect(a.claims.checked.map((c) => [c.claim.id, c.verdict])).toEqual([['azure-debased-hosts', 'consistent']]);
  });
});
