/**
 * Resource limits (issue 14): a plan this machine cannot hold is refused before anything starts,
 * with the `--set` values that fit; a report says when the machine, not the profile, limited
 * scale-out (cold starts that missed their burst's barrier).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeReport } from '../../analysis';
import { resolveProfile } from '../../local/profiles';
import { checkMachineFits, estimateDemand, fitProblem, RESIDENT_MB } from '../../local/run/machine-fit';
import { planLocalRun } from '../../local/run/run-local-study';
import { catalogPlan, SyntheticRun } from '../analysis/synthetic/synthetic-run';
import { scratchDir } from '../support/scratch-dirs';

const REPO = path.resolve(__dirname, '../..');

describe('estimate', () => {
  test('instances follow the plan: the peak demand of each function, within the profile\'s per-function limit', () => {
    const plan = planLocalRun({ study: 'scalability', sets: { maxConcurrency: 50 } });
    const modern = estimateDemand(plan, resolveProfile('modern', {}));
    const azure = estimateDemand(plan, resolveProfile('azure-2018', {}));
    expect(modern.instances).toBe(50);
    expect(azure.instances).toBe(10); // at most ~10 instances per function [S]
    expect(modern.memoryMb).toBeGreaterThan(50 * RESIDENT_MB.nodejs);
  });

  test('a plan that does not fit is refused with a --set that does, and that value really fits', () => {
    const capacity = { memoryMb: 1200, memorySource: 'a small test machine', fileDescriptors: 20_000 };
    const plan = planLocalRun({ study: 'scalability', sets: {} });
    const profile = resolveProfile('modern', {});
    const message = checkMachineFits(plan, profile, 'scalability', {}, capacity);
    expect(message).toMatch(/this machine cannot hold study scalability on the local platform \(profile modern\): it needs about \d+ MB \(up to 200 instance processes/);
    const suggested = /--set maxConcurrency=(\d+)/.exec(message!);
    expect(suggested).not.toBeNull();
    const value = Number(suggested![1]);
    expect(fitProblem(estimateDemand(planLocalRun({ study: 'scalability', sets: { maxConcurrency: value } }), profile), capacity)).toBeNull();
    expect(fitProblem(estimateDemand(planLocalRun({ study: 'scalability', sets: { maxConcurrency: value + 5 } }), profile), capacity)).not.toBeNull();
    expect(checkMachineFits(planLocalRun({ study: 'coldstart', sets: { rounds: 1 } }), profile, 'coldstart', {}, { ...capacity, memoryMb: 100_000 })).toBeNull();
  });
});

test('curtain run in a memory cgroup too small for the plan: refused before anything starts, naming the cgroup and a --set that fits', () => {
  const cgroup = `/sys/fs/cgroup/memory/curtain-fit-test-${process.pid}`;
  try {
    mkdirSync(cgroup);
    writeFileSync(path.join(cgroup, 'memory.limit_in_bytes'), String(1200 * 1024 * 1024));
  } catch (error) {
    console.warn(`skipped: cannot create a memory cgroup here (${(error as Error).message})`);
    return;
  }
  const out = scratchDir('curtain-fit-');
  try {
    // The shell moves itself into the cgroup, then becomes curtain (which then runs inside it).
    const result = spawnSync('sh', ['-c', `echo $$ > ${cgroup}/cgroup.procs && exec "${process.execPath}" bin/curtain.js run scalability --out "${out}"`], {
      cwd: REPO,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`cannot hold study scalability .* the room left in curtain's memory cgroup ${cgroup}.*--set maxConcurrency=\\d+`));
    expect(existsSync(path.join(out, 'scalability'))).toBe(false);
  } finally {
    for (let i = 0; i < 50 && existsSync(cgroup); i++) {
      try {
        rmdirSync(cgroup);
      } catch {
        spawnSync('sleep', ['0.1']);
      }
    }
  }
}, 90_000);

test('a report of the emulated platform warns when cold starts missed their barrier (the machine limited scale-out), and only then', async () => {
  const plan = catalogPlan('placement', 'local', {});
  const write = (missed: boolean, id: string) => {
    const run = new SyntheticRun(plan, { runId: `20261206T120000Z-${id}`, profile: 'aws-2018', timeScale: 20, seed: 3 });
    for (const step of run.bursts()) {
      for (let r = 0; r < step.requests; r++) run.record(step, r, { instance: run.instance(run.host()), barrierWaitMs: missed && r % 4 === 0 ? 0 : 40 });
    }
    return run.write(scratchDir('curtain-barrier-'));
  };
  const missedReport = readFileSync((await writeReport(write(true, 'miss'))).reportPath, 'utf8');
  expect(missedReport).toMatch(/Machine-limited scale-out: \d+ of \d+ cold starts in bursts with a barrier reached their probe after the barrier/);
  const fineReport = readFileSync((await writeReport(write(false, 'fine'))).reportPath, 'utf8');
  expect(fineReport).not.toMatch(/Machine-limited scale-out/);
});
