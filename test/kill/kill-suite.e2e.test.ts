/**
 * The hard-kill suite (issue 14, "Done when"): a real `curtain run` of test/kill/fixtures/kill-study.json
 * is killed at every moment a user or the machine can kill it: SIGKILL of curtain at five moments
 * (and of its process group), SIGKILL of its driver and of an instance, SIGINT and SIGTERM at every
 * phase, and the OOM killer through a memory cgroup. After each: no process of the run is alive,
 * no cgroup or scratch directory is left, run.json is honest, every answered request is kept, and
 * `curtain resume` completes the run with exactly one record per planned request.
 * (SIGINT/SIGTERM during the bundle build: test/local/signals.test.ts, part of `npm test`.)
 * Run with `npm run test:e2e`.
 */
import { mkdirSync, readFileSync, rmdirSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import type { ProcessIdentity } from '../../local/run-state/process-identity';
import {
  cleanUp,
  expectComplete,
  expectNothingLeft,
  processOf,
  readManifest,
  records,
  resume,
  runProcesses,
  startRun,
  STEPS,
  until,
  waitForLastStepDone,
  waitForSlowBurstInFlight,
  waitForStderr,
  waitForWait,
  type RunUnderTest,
} from './support/kill-harness';

afterEach(cleanUp);

type Moment = (run: RunUnderTest) => Promise<void>;

const MOMENTS: [string, Moment, boolean][] = [
  ['while the platform starts (start-run)', (run) => waitForStderr(run, /local platform: profile/), false],
  ['mid-burst, with requests in flight', waitForSlowBurstInFlight, false],
  ['during a wait', waitForWait, false],
  ['as finish-run starts', waitForLastStepDone, false],
  ['during the report', (run) => waitForStderr(run, /reading \d+ shard file/), true],
];

/** Resumes the run unless it completed, then checks it is complete. */
function expectResumable(run: RunUnderTest): void {
  const manifest = readManifest(run);
  if (manifest === null) return; // killed before start-run: there is no run to resume
  if (manifest.status !== 'completed') {
    const resumed = resume(run, '--resend');
    expect(resumed.stderr + resumed.stdout).not.toMatch(/internal error/);
    expect(resumed.code).toBe(0);
    expect(readManifest(run)!.status).toBe('completed');
  }
  expectComplete(run);
}

describe('SIGKILL of curtain run', () => {
  test.each(MOMENTS)('%s', async (_, moment, report) => {
    const run = startRun(report ? [] : ['--no-report']);
    await moment(run);
    const before = runProcesses(run);
    const killedAt = Date.now();
    process.kill(run.pid, 'SIGKILL');
    expect((await run.exited).signal).toBe('SIGKILL');
    await expectNothingLeft(run, before, killedAt);
    expectResumable(run);
  });

  test('of its whole process group, mid-burst', async () => {
    const run = startRun(['--no-report']);
    await waitForSlowBurstInFlight(run);
    const before = runProcesses(run);
    const killedAt = Date.now();
    process.kill(-run.pid, 'SIGKILL');
    expect((await run.exited).signal).toBe('SIGKILL');
    await expectNothingLeft(run, before, killedAt);
    expect(readManifest(run)!.status).toBe('interrupted');
    expectResumable(run);
  });
});

test('SIGKILL of the driver mid-burst: its answers are kept, its requests in flight recorded as of unknown fate (not sent again), the run goes on; resume --resend completes it', async () => {
  const run = startRun(['--no-report']);
  await waitForSlowBurstInFlight(run);
  const before = runProcesses(run);
  const driver = processOf(before.identities, /driver-local/);
  expect(driver).toBeDefined();
  const killedAt = Date.now();
  process.kill(driver!.pid, 'SIGKILL');
  const exit = await run.exited;
  expect(exit.code).toBe(3);
  await expectNothingLeft(run, before, killedAt);
  const slow = records(run).filter((r) => r.step === STEPS.slow);
  expect(slow.filter((r) => r.status === 'ok').length).toBeGreaterThanOrEqual(4);
  const unknown = slow.filter((r) => r.status === 'error' && r.attempts === 0);
  expect(unknown.length).toBeGreaterThan(0);
  const manifest = readManifest(run)!;
  expect(manifest.status).toBe('failed');
  expect(manifest.shardSends?.[0]).toMatchObject({ step: STEPS.slow, unresolved: unknown.length });
  expect(records(run).filter((r) => r.step === STEPS.last).every((r) => r.status === 'ok')).toBe(true);
  expectResumable(run);
  const resent = records(run).filter((r) => unknown.some((u) => u.request === r.request && u.step === r.step));
  expect(resent.every((r) => r.priorSends === 1 && r.attempts >= 1)).toBe(true);
});

test('SIGKILL of an instance mid-request: that request is a crash record, the run completes, nothing is left', async () => {
  const run = startRun(['--no-report']);
  await waitForSlowBurstInFlight(run);
  const before = runProcesses(run);
  // An instance running a request of the second wave (sleeping in its task, not frozen).
  let busy: ProcessIdentity | undefined;
  await until('a busy instance', () => (busy = processOf(runProcesses(run).identities, /probe-local/, /^[RS]$/)) !== undefined, 5000);
  const killedAt = Date.now();
  process.kill(busy!.pid, 'SIGKILL');
  const exit = await run.exited;
  expect(exit.code).toBe(0);
  await expectNothingLeft(run, before, killedAt);
  expect(readManifest(run)!.status).toBe('completed');
  const crashed = records(run).filter((r) => r.step === STEPS.slow && r.status === 'error');
  expect(crashed.length).toBe(1);
  expect(crashed[0]!.error).toMatch(/crashed during the invocation \(signal SIGKILL\)/);
  const all = records(run);
  expect(new Set(all.map((r) => `${r.step}/${r.request}`)).size).toBe(all.length);
  expect(resume(run).code).toBe(1); // completed: nothing to resume
});

describe.each(['SIGINT', 'SIGTERM'] as const)('%s to curtain run', (signal) => {
  test.each(MOMENTS)('%s: exit 130, nothing left, run.json honest, answers kept; resume completes it', async (_, moment, report) => {
    const run = startRun(report ? [] : ['--no-report']);
    await moment(run);
    const before = runProcesses(run);
    const killedAt = Date.now();
    process.kill(run.pid, signal);
    const exit = await run.exited;
    expect(exit).toEqual({ code: 130, signal: null });
    expect(run.stderr()).toMatch(new RegExp(`curtain run: ${signal}: stopping`));
    expect(run.stderr()).not.toMatch(/internal error/);
    await expectNothingLeft(run, before, killedAt);
    const manifest = readManifest(run)!;
    expect(manifest).not.toBeNull();
    expect(['interrupted', 'completed']).toContain(manifest.status);
    if (report) expect(existsSync(path.join(run.runDir, 'report', 'report.md'))).toBe(false);
    expectResumable(run);
  });
});

test('the OOM killer takes curtain (a memory cgroup at its limit): its watchdog ends the rest and closes the run; resume completes it', async () => {
  const cgroup = `/sys/fs/cgroup/memory/curtain-oom-test-${process.pid}`;
  try {
    mkdirSync(cgroup);
  } catch (error) {
    console.warn(`skipped: no memory cgroup here (${(error as Error).message})`);
    return;
  }
  try {
    const run = startRun(['--no-report'], { shellPrefix: `echo $$ > ${cgroup}/cgroup.procs &&` });
    await waitForWait(run);
    const before = runProcesses(run);
    // curtain (the largest process of the group) is the one the kernel takes; its watchdog started before this.
    writeFileSync(`/proc/${run.pid}/oom_score_adj`, '500');
    const stat = readFileSync(path.join(cgroup, 'memory.stat'), 'utf8');
    const rss = Number(/^total_rss (\d+)$/m.exec(stat)![1]);
    // Room for a few MB more than the run holds now: the next driver process (about 50 MB) does not fit.
    writeFileSync(path.join(cgroup, 'memory.limit_in_bytes'), String(rss + 24 * 1024 * 1024));
    const killedAt = Date.now();
    const exit = await run.exited;
    expect(exit.signal).toBe('SIGKILL');
    expect(readFileSync(path.join(cgroup, 'memory.oom_control'), 'utf8')).toMatch(/oom_kill [1-9]/);
    writeFileSync(path.join(cgroup, 'memory.limit_in_bytes'), '-1');
    await expectNothingLeft(run, before, killedAt);
    expect(readManifest(run)!.status).toBe('interrupted');
    expectResumable(run);
  } finally {
    await cleanUp();
    for (let i = 0; i < 100 && existsSync(cgroup); i++) {
      try {
        rmdirSync(cgroup);
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
});
