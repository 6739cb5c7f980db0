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
    const plan = catalogPlan('contention', 'azure', { levels: [20], loneRuns: 1 });
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

/**
 * Truth: each host type has its own disk bandwidth, shared by the instances on the host
 * (per-host I/O), and a debased type has 30 % of the standard type's. Instances are placed at
 * random on a pool of `hosts` hosts, 55 % of them debased. The lone runs are noisy: one of them
 * ran while this machine was busy and got a third of its bandwidth.
 */
function perHostIoRun(o: { loneRuns: number; seed?: number }) {
  const plan = catalogPlan('contention', 'azure', { levels: [1, 2, 4, 8], loneRuns: o.loneRuns });
  const run = new SyntheticRun(plan, { seed: o.seed ?? 11 });
  const pool = Array.from({ length: 20 }, (_, i) => {
    const debased = i < 11;
    return { debased, host: run.host({ cpuModel: debased ? 'AMD Opteron(tm) Processor 4171 HE' : 'Intel(R) Xeon(R) CPU E5-2673 v3 @ 2.40GHz' }) };
  });
  const truth = { instances: 0, onDebased: 0 };
  const bursts = run.bursts();
  let loneSeen = 0;
  for (let i = 0; i < bursts.length; i += 2) {
    const [io, net] = [bursts[i]!, bursts[i + 1]!];
    const placed = Array.from({ length: io.requests }, () => pool[Math.floor(run.uniform(0, pool.length))]!);
    const sharing = (p: (typeof pool)[number]) => placed.filter((q) => q === p).length;
    const noisy = io.requests === 1 && loneSeen++ === 0;
    placed.forEach((p, r) => {
      const instance = run.instance(p.host);
      truth.instances += 1;
      if (p.debased) truth.onDebased += 1;
      const bandwidth = (p.debased ? 30 : 100) * run.uniform(0.95, 1.05) * (noisy ? 1 / 3 : 1);
      run.record(io, r, { instance, task: taskResult('io', { mbPerSec: bandwidth / sharing(p) }) });
      run.record(net, r, { instance, task: taskResult('net', { mbitPerSec: 1000 / sharing(p) }) });
    });
  }
  return { run, truth };
}

describe('contention with several lone measurements and per-host I/O (issue 17 item 6)', () => {
  test('the baseline is the median of several lone runs, so one unlucky lone run does not set the slowdown', async () => {
    const plan = catalogPlan('contention', 'aws', { levels: [1, 2, 4, 8, 16], loneRuns: 5 });
    expect(plan.steps.filter((s) => s.kind === 'burst' && s.label === 'io' && s.requests === 1)).toHaveLength(5);
    const run = new SyntheticRun(plan);
    const bursts = run.bursts();
    let lone = 0;
    for (let i = 0; i < bursts.length; i += 2) {
      const [io, net] = [bursts[i]!, bursts[i + 1]!];
      const host = run.host();
      const n = io.requests;
      // The first lone run was slowed to a fifth by the machine; the other four were not.
      const factor = n === 1 && lone++ === 0 ? 0.2 : 1;
      Array.from({ length: n }, () => run.instance(host)).forEach((instance, r) => {
        run.record(io, r, { instance, task: taskResult('io', { mbPerSec: (100 * factor) / n }) });
        run.record(net, r, { instance, task: taskResult('net', { mbitPerSec: 1000 / n }) });
      });
    }
    const a = await analyzeRun(run.write(tmp()));
    expect(a.metrics.get('contention.ioSlowdown')!.value).toBeCloseTo(16, 6);
    expect(a.metrics.get('contention.maxSlowdown')!.method).toMatch(/over 5 lone measurements/);
  });

  test('one lone run is not a baseline: the slowdown is not measurable', async () => {
    const plan = catalogPlan('contention', 'aws', { levels: [1, 4, 16], loneRuns: 1 });
    const run = new SyntheticRun(plan);
    const bursts = run.bursts();
    for (let i = 0; i < bursts.length; i += 2) {
      const [io, net] = [bursts[i]!, bursts[i + 1]!];
      const host = run.host();
      Array.from({ length: io.requests }, () => run.instance(host)).forEach((instance, r) => {
        run.record(io, r, { instance, task: taskResult('io', { mbPerSec: 100 / io.requests }) });
        run.record(net, r, { instance, task: taskResult('net', { mbitPerSec: 1000 / io.requests }) });
      });
    }
    const a = await analyzeRun(run.write(tmp()));
    expect(a.metrics.get('contention.maxSlowdown')!.value).toBeNull();
    expect(a.metrics.get('contention.maxSlowdown')!.reason).toMatch(/too few measurements alone on a host/);
  });

  test.each([11, 12, 13])('debased VM types with slow I/O on random hosts: the fraction of instances on them is recovered (seed %i)', async (seed) => {
    const { run, truth } = perHostIoRun({ loneRuns: 5, seed });
    const a = await analyzeRun(run.write(tmp()));
    const debased = a.metrics.get('contention.debasedInstanceFraction')!;
    const trueFraction = truth.onDebased / truth.instances;
    expect(debased.n).toBe(truth.instances);
    expect(debased.value).toBeCloseTo(trueFraction, 6);
    expect(a.claims.checked.find((c) => c.claim.id === 'azure-debased-hosts')!.verdict).toBe('consistent');
  });
});
