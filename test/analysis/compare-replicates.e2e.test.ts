/**
 * `curtain compare` on real runs of the local platform (real probe and driver
 * processes): two runs of one plan are never called "different" by chance, and
 * a run with a changed platform profile is. The two runs of a pair run side by
 * side, so that the load of this shared machine falls on both alike: what is
 * compared is the plan's replicability, not the machine's mood between runs.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { compareRuns } from '../../analysis';
import { expectNoProcessLeft, runStudy } from '../local/support/e2e';

async function pair(study: string, sets: Record<string, unknown>, profiles: [string, string]) {
  const runs = await Promise.all(profiles.map((profile) => runStudy(study, sets, { profile })));
  try {
    for (const run of runs) {
      expect(run.result.status).toBe('completed');
      expectNoProcessLeft(run.truth);
    }
    return await compareRuns(runs[0]!.result.runDir, runs[1]!.result.runDir);
  } finally {
    // runStudy's output folder: <out>/<study>/<run>, the ground truth under <out>/.ground-truth.
    for (const run of runs) rmSync(path.resolve(run.result.runDir, '../..'), { recursive: true, force: true });
  }
}

const verdicts = (c: Awaited<ReturnType<typeof compareRuns>>) => Object.fromEntries(c.metrics.map((m) => [m.name, `${m.verdict}: ${m.reason}`]));

describe('compare on real local runs', () => {
  test('two coldstart runs of one plan: no metric "different"; the plan is the same on both sides', async () => {
    const c = await pair('coldstart', { memoryMb: [128, 512], runtimes: ['nodejs'], rounds: 8, concurrent: 2 }, ['modern', 'modern']);
    expect(c.plans.same).toBe(true);
    expect(c.metrics.length).toBeGreaterThanOrEqual(6);
    expect({ different: c.counts.different, verdicts: verdicts(c) }).toMatchObject({ different: 0 });
    // Not by testing nothing: every latency median was tested for a difference beyond its margin (a
    // finite p-value in Holm's family). Whether they are also shown equivalent depends on how noisy
    // this shared machine is during the runs, so the test does not ask for it.
    // (The new-host penalty may rest on too few openings to test; host openings are a count without a
    // sampling interval, compared as exact and so not in Holm's family. The per-label breakdowns every
    // report adds, analysis/labels/, may add tested metrics of their own.)
    const latencies = c.metrics.filter((m) => /MedianMs/.test(m.name) && m.name.startsWith('coldstart.'));
    expect(latencies.length).toBeGreaterThanOrEqual(6);
    expect(c.tested).toBeGreaterThanOrEqual(latencies.length);
    for (const m of latencies) expect(Number.isFinite(m.pDifferentAdjusted)).toBe(true);
  });

  test('placement on aws-2018 against modern: different (bin-packed against one microVM per instance)', async () => {
    const c = await pair('placement', { functions: 6, rounds: 1 }, ['aws-2018', 'modern']);
    expect(c.plans.same).toBe(true); // the profile is not part of the plan
    expect(verdicts(c)['placement.binPacked']).toBe('different: A answers yes, B no');
    expect(verdicts(c)['placement.maxInstancesPerHost']).toMatch(/^different/);
    expect(c.notes.join('\n')).toMatch(/profile aws-2018.*; side B on the emulated local platform \(profile modern/);
  });
});
