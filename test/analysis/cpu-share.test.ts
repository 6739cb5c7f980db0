import { analyzeRun } from '../../analysis';
import { catalogPlan, SyntheticRun, taskResult } from './synthetic/synthetic-run';
import { useTmpDir } from './synthetic/tmp-dir';

const tmp = useTmpDir();
const MEMORY = [128, 256, 512, 1024, 1536];

/** Lone share = memory / 1769 (AWS's one vCPU per 1,769 MB) ± 2 %; co-resident share = lone × coFactor. */
function cpuShareRun(provider: 'aws' | 'azure', coFactor: number) {
  const plan = catalogPlan('cpu-share', provider, { memoryMb: MEMORY, coResident: 3, rounds: 2 });
  const run = new SyntheticRun(plan);
  const host = run.host();
  const memoryOf = (fn: string) => plan.functions.find((f) => f.key === fn)!.memoryMb;
  for (const step of run.bursts()) {
    for (let r = 0; r < step.requests; r++) {
      const memory = memoryOf(step.targets[r % step.targets.length]!);
      const share = Math.min(1, memory / 1769) * run.uniform(0.98, 1.02) * (step.label === 'co-resident' ? coFactor : 1);
      run.record(step, r, { instance: run.instance(host), task: taskResult('cpu-share', { share, wallMs: 1000 }) });
    }
  }
  return run;
}

describe('cpu-share analysis on synthetic records', () => {
  test('share proportional to memory: correlation near 1, slope 1/1769 per MB, no co-resident drop (AWS claim consistent)', async () => {
    const a = await analyzeRun(cpuShareRun('aws', 1).write(tmp()));
    const r = a.metrics.get('cpuShare.memoryCorrelation')!;
    expect(r.value as number).toBeGreaterThan(0.99);
    const slope = a.metrics.get('cpuShare.sharePerGb')!;
    expect(Math.abs((slope.value as number) / (1024 / 1769) - 1)).toBeLessThan(0.02);
    expect(slope.interval![1] - slope.interval![0]).toBeLessThan(0.05);
    expect(Math.abs(a.metrics.get('cpuShare.coResidentDrop')!.value as number)).toBeLessThan(0.03);
    expect(a.claims.checked.map((c) => [c.claim.id, c.verdict])).toEqual([['aws-share-proportional', 'consistent']]);
  });

  test('co-resident instances get half the share (Azure claim consistent)', async () => {
    const a = await analyzeRun(cpuShareRun('azure', 0.5).write(tmp()));
    const drop = a.metrics.get('cpuShare.coResidentDrop')!;
    expect(drop.interval![0]).toBeLessThanOrEqual(0.5);
    expect(drop.interval![1]).toBeGreaterThanOrEqual(0.5);
    expect(a.claims.checked.map((c) => [c.claim.id, c.verdict])).toEqual([['azure-share-varies', 'consistent']]);
  });

  test('a failed task or a missing share key is left out and said, not a crash', async () => {
    const plan = catalogPlan('cpu-share', 'aws', { memoryMb: [128, 256], coResident: 1, rounds: 1 });
    const run = new SyntheticRun(plan);
    const host = run.host();
    for (const step of run.bursts()) {
      for (let r = 0; r < step.requests; r++) run.record(step, r, { instance: run.instance(host), task: taskResult('cpu-share', { wallMs: 1000 }, r % 2 === 0) });
    }
    const a = await analyzeRun(run.write(tmp()));
    expect(a.metrics.get('cpuShare.memoryCorrelation')!.value).toBeNull();
    expect(a.output.notes.join(' ')).toMatch(/no numeric `share`/);
  });
});
