import { analyzeRun } from '../../analysis';
import { CAPACITY, packedPlacementRun } from './synthetic/figure-runs';
import { catalogPlan, SyntheticRun } from './synthetic/synthetic-run';
import { useTmpDir } from './synthetic/tmp-dir';

const tmp = useTmpDir();

function packedRun() {
  return packedPlacementRun(12, 2);
}

describe('placement analysis on synthetic records', () => {
  test('bin-packed hosts: recovers the fullest host exactly and says the instances are packed', async () => {
    const { run, truthMax } = packedRun();
    const a = await analyzeRun(run.write(tmp()));
    expect(a.metrics.get('placement.maxHostMemoryMb')!.value).toBe(truthMax);
    expect(truthMax).toBeLessThanOrEqual(CAPACITY);
    expect(a.metrics.get('placement.binPacked')!.value).toBe(true);
    expect(a.metrics.get('placement.hostsPerMinimum')!.value as number).toBeLessThanOrEqual(1.5);
    const verdicts = Object.fromEntries(a.claims.checked.map((c) => [c.claim.id, c.verdict]));
    expect(verdicts['aws-bin-packing']).toBe('consistent');
    expect(verdicts['aws-max-host-memory']).toBe(truthMax >= CAPACITY * 0.9 ? 'consistent' : 'differs');
  });

  test('one microVM per instance, booted in the same second: hosts are still told apart and nothing is packed', async () => {
    const plan = catalogPlan('placement', 'aws', { functions: 6, rounds: 2 });
    const run = new SyntheticRun(plan);
    for (const step of run.bursts()) {
      for (let r = 0; r < step.requests; r++) {
        // Present-day Lambda: every instance alone at the root of its own microVM's cgroup tree,
        // all microVMs of a burst booted in the same second, link-local addresses identical everywhere.
        const host = run.host({ bootTime: 1_764_000_000 + step.index, cgroupStyle: 'v2', hostname: `169.254.${step.index}.${r + 1}`, privateIp: '169.254.76.1' });
        run.record(step, r, { instance: run.instance(host) });
      }
    }
    const a = await analyzeRun(run.write(tmp()));
    expect(a.hosts.hosts.length).toBe(a.hosts.instances);
    expect(a.metrics.get('placement.binPacked')!.value).toBe(false);
    expect(a.metrics.get('placement.maxInstancesPerHost')!.value).toBe(1);
    expect(a.claims.checked.find((c) => c.claim.id === 'aws-bin-packing')!.verdict).toBe('differs');
  });

  test('without any host signal, placement is not measurable rather than wrong', async () => {
    const plan = catalogPlan('placement', 'aws', { functions: 3, rounds: 1 });
    const run = new SyntheticRun(plan);
    for (const step of run.bursts()) {
      for (let r = 0; r < step.requests; r++) {
        const host = run.host({ bootTime: null, cgroupStyle: 'none', hostname: null, privateIp: null });
        run.record(step, r, { instance: run.instance(host) });
      }
    }
    const a = await analyzeRun(run.write(tmp()));
    expect(a.metrics.get('placement.binPacked')!.value).toBeNull();
    expect(a.metrics.get('placement.binPacked')!.reason).toMatch(/hosts could be inferred for only 0 of/);
    expect(a.claims.checked.every((c) => c.verdict === 'not measurable here')).toBe(true);
  });
});
