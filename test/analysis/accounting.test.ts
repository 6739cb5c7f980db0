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

/**
 * Truth on a freezing platform (the aws-2018 profile): after the start's 1 ms handler the work
 * runs 3 ms before the freeze; 90 s later the collect request thaws the instance, which does 12 ms
 * of work before the handler takes the request (that is the collect's doing, not unbilled work);
 * the next round's start then reports 40 ms in all. Lambda billed 100 ms units in 2018.
 */
function frozenAccountingRun() {
  const plan = catalogPlan('accounting', 'local', { rounds: 3, backgroundMs: 60_000, memoryMb: [128, 2048] });
  const run = new SyntheticRun(plan, { profile: 'aws-2018', local: { modelsAsOf: '2018-01' } });
  const host = run.host();
  const instances = new Map<string, ReturnType<typeof run.instance>>();
  let startedAt = 0;
  for (const step of run.bursts()) {
    for (let r = 0; r < step.requests; r++) {
      const fn = step.targets[r % step.targets.length]!;
      const instance = instances.get(fn) ?? run.instance(host);
      instances.set(fn, instance);
      run.advance(step.label === 'collect' ? 90_000 : 1000);
      const sentAt = run.now;
      if (step.label === 'start') {
        if (instance.background) run.backgroundProgress(instance, 40, true);
        run.record(step, r, { instance, sentAt, handlerMs: 1, latencyMs: 21, task: taskResult('background', { durationMs: 60_000 }) });
        startedAt = sentAt + 10;
      } else {
        const receivedAt = sentAt + (20 - 5) / 2; // the generator's arrival: (latency − handler) / 2
        run.backgroundProgress(instance, 15, true, { at: startedAt + 4, resumedAt: receivedAt - 15, workMsBefore: 3 });
        run.record(step, r, { instance, sentAt, latencyMs: 20 });
      }
    }
  }
  return run;
}

describe('accounting: billed duration and work after the thaw (issue 17 item 3)', () => {
  test('the denominator is the billed duration (100 ms units in 2018) and work after the collect thawed the instance is left out', async () => {
    const a = await analyzeRun(frozenAccountingRun().write(tmp()));
    const ratio = a.metrics.get('accounting.unbilledWorkRatio')!;
    // 3 ms of work per 100 ms billed; the old reading was 40 ms per 1 ms handler time = 40.
    expect(ratio.value).toBeCloseTo(0.03, 6);
    expect(ratio.n).toBe(6);
    expect(ratio.method).toMatch(/billed as aws as of 2018-01: 100 ms units, at least 100 ms/);
    expect(a.output.notes.join(' ')).toMatch(/6 report\(s\) showed the instance frozen until the reporting request thawed it; the 12 ms/);
    expect(a.claims.checked.map((c) => [c.claim.id, c.verdict])).toEqual([['aws-freezes-after-return', 'consistent']]);
  });

  test('the billing rule is the one in force when the run was made: Lambda since December 2020 bills 1 ms units', async () => {
    const { billedDurationMs, durationBillingAt } = await import('../../experiments/billed-duration');
    expect(billedDurationMs(durationBillingAt('aws', '2018-06'), 1.2)).toBe(100);
    expect(billedDurationMs(durationBillingAt('aws', '2020-11-30T12:00:00Z'), 101)).toBe(200);
    expect(billedDurationMs(durationBillingAt('aws', '2020-12'), 1.2)).toBe(2);
    expect(billedDurationMs(durationBillingAt('azure', '2026-11'), 30)).toBe(100);
    expect(billedDurationMs(durationBillingAt('gcp', '2026-11'), 101)).toBe(200);
  });
});
