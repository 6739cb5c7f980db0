import { analyzeRun } from '../../analysis';
import { catalogPlan, SyntheticRun, taskResult } from './synthetic/synthetic-run';
import { useTmpDir } from './synthetic/tmp-dir';

const tmp = useTmpDir();

/** Each round: start background work (handler 40 ms), then a later invocation reports `workMs` done meanwhile. */
function accountingRun(provider: 'aws' | 'gcp', workMs: number) {
  const plan = catalogPlan('accounting', provider, { rounds: 3, backgroundMs: 60_000, memoryMb: [128, 2048] });
  const run = new SyntheticRun(plan);
  const host = run.host();
  const instances = new Map<string, ReturnType<typeof run.instance>>();
  for (const step of run.bursts()) {
    for (let r = 0; r < step.requests; r++) {
      const fn = step.targets[r % step.targets.length]!;
      const instance = instances.get(fn) ?? run.instance(host);
      instances.set(fn, instance);
      if (step.label === 'start') run.record(step, r, { instance, handlerMs: 40, latencyMs: 60, task: taskResult('background', { durationMs: 60_000 }) });
      else {
        run.backgroundProgress(instance, workMs);
        run.record(step, r, { instance });
      }
    }
  }
  return run;
}

describe('accounting analysis on synthetic records', () => {
  test('60 s of work after a 40 ms invocation billed as 100 ms by Google: ratio 600 (Google claim consistent)', async () => {
    const a = await analyzeRun(accountingRun('gcp', 60_000).write(tmp()));
    const ratio = a.metrics.get('accounting.unbilledWorkRatio')!;
    // Google bills in 100 ms units (experiments/capabilities.ts), so 40 ms of handler time costs 100 ms.
    expect(ratio.value).toBeCloseTo(600, 6);
    expect(ratio.n).toBe(6);
    expect(a.metrics.get('accounting.completedFraction')!.value).toBe(1);
    expect(a.claims.checked.map((c) => [c.claim.id, c.verdict])).toEqual([['gcp-unbilled-work', 'consistent']]);
  });

  test('a frozen instance does 2 ms of work (AWS claim consistent)', async () => {
    const a = await analyzeRun(accountingRun('aws', 2).write(tmp()));
    expect(a.metrics.get('accounting.unbilledWorkRatio')!.value).toBeCloseTo(0.05, 6);
    expect(a.claims.checked.map((c) => [c.claim.id, c.verdict])).toEqual([['aws-freezes-after-return', 'consistent']]);
  });
});
