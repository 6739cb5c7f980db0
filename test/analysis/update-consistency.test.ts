import { analyzeRun } from '../../analysis';
import { catalogPlan, type SyntheticInstance, SyntheticRun } from './synthetic/synthetic-run';
import { useTmpDir } from './synthetic/tmp-dir';

const tmp = useTmpDir();

/** After each update, the first `staleBursts` bursts still reach old instances for `staleEach` of their requests. */
function updateRun(staleBursts: number, staleEach: number) {
  const plan = catalogPlan('update-consistency', 'aws', { concurrent: 5, rounds: 2, burstsAfter: 4, intervalSeconds: 1 });
  const run = new SyntheticRun(plan);
  const host = run.host();
  let current: SyntheticInstance[] = Array.from({ length: 5 }, () => run.instance(host, { generation: 'g0' }));
  let sinceUpdate = -1;
  let generation = 'g0';
  for (const step of plan.steps) {
    if (step.kind === 'update') {
      generation = step.generation;
      sinceUpdate = 0;
      continue;
    }
    if (step.kind === 'wait') {
      run.advance(1000);
      continue;
    }
    const fresh = Array.from({ length: 5 }, () => run.instance(host, { generation }));
    const staleHere = step.label === 'after' && sinceUpdate < staleBursts ? staleEach : 0;
    for (let r = 0; r < step.requests; r++) run.record(step, r, { instance: r < staleHere ? current[r]! : fresh[r]! });
    if (step.label === 'after') {
      sinceUpdate += 1;
      if (sinceUpdate >= staleBursts) current = fresh;
    }
  }
  return run;
}

describe('update-consistency analysis on synthetic records', () => {
  test('counts stale responses exactly and bounds the stale window (AWS claim consistent)', async () => {
    const a = await analyzeRun(updateRun(2, 3).write(tmp()));
    expect(a.metrics.get('update.staleResponses')!.value).toBe(2 * 2 * 3);
    // "before" bursts of round 2 count too: they follow round 1's update and are all current.
    expect(a.metrics.get('update.staleFraction')!.value).toBeCloseTo(12 / (2 * 4 * 5 + 5), 6);
    const window = a.metrics.get('update.staleWindowSeconds')!.value as number;
    expect(window).toBeGreaterThanOrEqual(1);
    expect(window).toBeLessThan(2.5);
    expect(a.claims.checked[0]!.verdict).toBe('consistent');
  });

  test('immediate updates: no stale response, the claim differs', async () => {
    const a = await analyzeRun(updateRun(0, 0).write(tmp()));
    expect(a.metrics.get('update.staleResponses')!.value).toBe(0);
    expect(a.metrics.get('update.staleWindowSeconds')!.value).toBeNull();
    expect(a.claims.checked[0]!.verdict).toBe('differs');
  });
});
