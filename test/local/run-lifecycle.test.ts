/**
 * Runs are precious (issue 14): answers received are kept when the run is stopped, a run id is
 * owned by one run, run.json is closed on every path, a driver that died after sending is never
 * run again silently, and an interrupted run can be resumed to exactly one record per request.
 * Each test runs a real local study (real driver and probe bundles, real processes).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { GroundTruthJournalLine, groundTruthJournalPath } from '../../local/ground-truth';
import { REPO_ROOT } from '../../probe-runtime/build/build-runtime';
import { resumeLocalRun } from '../../local/run/resume-local-run';
import { runLocalStudy } from '../../local/run/run-local-study';
import { RunManifest } from '../../probe-runtime/contracts/run-manifest';
import { writeReport } from '../../analysis';
import { expectNoProcessLeft, expectOneRecordPerPlannedRequest, readRecords, runStudy } from './support/e2e';
import { testRuntimeBundles } from './support/runtime-bundles';
import { bundleSet } from '../../probe-runtime/build/bundle-set';
import { scratchDir } from '../support/scratch-dirs';

const fixture = (name: string) => path.join(__dirname, 'fixtures', name);

/** The real bundles with the driver replaced by a fixture that wraps the real one. */
async function bundlesWithDriver(entry: string) {
  const real = await testRuntimeBundles();
  return bundleSet(REPO_ROOT, {
    ...real.manifest,
    bundles: { ...real.manifest.bundles, 'driver-local': { ...real.manifest.bundles['driver-local'], dir: 'test/local/fixtures', entry } },
  });
}

function manifestOf(runDir: string): RunManifest {
  return RunManifest.parse(JSON.parse(readFileSync(path.join(runDir, 'run.json'), 'utf8')));
}

function truthJournal(outDir: string, study: string, run: string): GroundTruthJournalLine[] {
  return readFileSync(groundTruthJournalPath(outDir, study, run), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => GroundTruthJournalLine.parse(JSON.parse(line)));
}

beforeAll(async () => {
  await testRuntimeBundles();
});

test('Ctrl-C while requests hang: the answers already received are kept, the hung ones are recorded as abandoned (was: all killed by SIGKILL after 15 s)', async () => {
  const controller = new AbortController();
  let abortedAt = 0;
  const started = await runStudy('', {}, {
    study: fixture('hang-study.json'),
    faults: { hang: 0.5, seed: 5 },
    interrupt: controller.signal,
    onEvent: (event) => {
      if (event.kind === 'step' && event.step.index === 0) {
        setTimeout(() => {
          abortedAt = Date.now();
          controller.abort();
        }, 2500);
      }
    },
  });
  const stoppedIn = Date.now() - abortedAt;
  const { result, records, truth, manifest } = started;
  expect(result.status).toBe('interrupted');
  expect(manifest.status).toBe('interrupted');
  expect(stoppedIn).toBeLessThan(10_000);
  expectOneRecordPerPlannedRequest(result.plan, records);
  const burst = records.filter((r) => r.step === 0);
  const answered = truth.invocations.filter((i) => i.step === 0 && i.outcome === 'ok').map((i) => i.request);
  const hung = truth.invocations.filter((i) => i.step === 0 && i.fault === 'hang').map((i) => i.request);
  expect(answered.length).toBeGreaterThan(0);
  expect(hung.length).toBeGreaterThan(0);
  // Every request the platform answered is an ok record; every hung one is an honest error.
  expect(burst.filter((r) => r.status === 'ok').map((r) => r.request).sort()).toEqual([...answered].sort());
  for (const r of burst.filter((x) => hung.includes(x.request))) expect(r.error).toMatch(/abandoned: the driver was stopped while this request was in flight/);
  expect(records.some((r) => /killed by SIGKILL/.test(r.error ?? ''))).toBe(false);
  expect(records.filter((r) => r.step === 1).every((r) => r.status === 'skipped')).toBe(true);
  expectNoProcessLeft(truth);
}, 60_000);

test('Ctrl-C before anything was sent: plan.json and an interrupted run.json, every request skipped (was: no run.json, "the plan has no step -1")', async () => {
  const { result, records, manifest } = await runStudy('', {}, { study: fixture('fault-study.json'), interrupt: AbortSignal.abort() });
  expect(result.status).toBe('interrupted');
  expect(manifest.status).toBe('interrupted');
  expect(manifest.stepsCompleted).toBe(0);
  expect(manifest.failures).toEqual([]);
  expect(existsSync(path.join(result.runDir, 'plan.json'))).toBe(true);
  expectOneRecordPerPlannedRequest(result.plan, records);
  expect(records.every((r) => r.status === 'skipped')).toBe(true);
}, 60_000);

test('the finish-run driver SIGKILLed: run.json is still closed, with every step completed and the failure named (was: left running, stepsCompleted 0)', async () => {
  const { result, records, manifest, truth } = await runStudy('', {}, { study: fixture('fault-study.json'), bundles: await bundlesWithDriver('finish-killed-driver.js') });
  expect(manifest.status).toBe('failed');
  expect(manifest.endedAt).not.toBeNull();
  expect(manifest.stepsCompleted).toBe(result.plan.steps.length);
  expect(manifest.failures.map((f) => f.message).join(' ')).toMatch(/finish-run: the driver was killed by SIGKILL.*closed by curtain itself/);
  expect(records.every((r) => r.status === 'ok')).toBe(true);
  expectNoProcessLeft(truth);
}, 60_000);

describe('a driver killed after it sent its requests', () => {
  test('is not run again silently: its requests are recorded as possibly run, run.json names the failure and the send (was: 12 invocations for 6 requests, no failure)', async () => {
    const { result, records, manifest, truth } = await runStudy('', {}, { study: fixture('slow-burst-study.json'), bundles: await bundlesWithDriver('killed-after-sending-driver.js') });
    expectOneRecordPerPlannedRequest(result.plan, records);
    const slow = records.filter((r) => r.step === 0);
    expect(truth.invocations.filter((i) => i.step === 0)).toHaveLength(6);
    expect(slow.every((r) => r.status === 'error' && r.attempts === 0 && /sent \(the platform received it\)/.test(r.error!))).toBe(true);
    expect(manifest.status).toBe('failed');
    expect(manifest.failures.find((f) => f.step === 0)?.message).toMatch(/6 request\(s\) may have reached a probe .*curtain resume --resend/);
    expect(manifest.shardSends).toEqual([
      { step: 0, shard: 0, sends: [expect.objectContaining({ requests: 6, outcome: 'died after sending began' })], resent: 0, unresolved: 6 },
    ]);
    expectNoProcessLeft(truth);
  }, 90_000);

  test('with --resend it is sent again, and every record, run.json and the report say so', async () => {
    const { result, records, manifest, truth } = await runStudy('', {}, {
      study: fixture('slow-burst-study.json'),
      bundles: await bundlesWithDriver('killed-after-sending-driver.js'),
      resend: true,
    });
    expectOneRecordPerPlannedRequest(result.plan, records);
    const slow = records.filter((r) => r.step === 0);
    expect(truth.invocations.filter((i) => i.step === 0)).toHaveLength(12);
    expect(slow.every((r) => r.status === 'ok' && r.priorSends === 1)).toBe(true);
    expect(manifest.status).toBe('completed');
    expect(manifest.shardSends).toEqual([
      { step: 0, shard: 0, sends: [expect.objectContaining({ outcome: 'died after sending began' }), expect.objectContaining({ outcome: 'written' })], resent: 6, unresolved: 0 },
    ]);
    const report = readFileSync((await writeReport(result.runDir)).reportPath, 'utf8');
    expect(report).toMatch(/6 were sent again after a driver died having begun to send them/);
    expect(report).toMatch(/Step 1 shard 0 needed 2 driver\(s\) \(died after sending began, written\); 6 request\(s\) sent again/);
  }, 90_000);
});

describe('one run per run id', () => {
  test('two concurrent runs with one id: one is refused, the other completes with its own records (was: both "completed", one overwriting the other)', async () => {
    const outDir = scratchDir('curtain-e2e-');
    const bundles = await testRuntimeBundles();
    const options = { study: fixture('fault-study.json'), outDir, bundles, run: 'samerun', report: false } as const;
    const [a, b] = await Promise.allSettled([runLocalStudy(options), runLocalStudy(options)]);
    const done = [a, b].filter((x) => x.status === 'fulfilled');
    const refused = [a, b].filter((x): x is PromiseRejectedResult => x.status === 'rejected');
    expect(done).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(String(refused[0]!.reason)).toMatch(/run samerun (is in progress|already exists).*refused/);
    const result = (done[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof runLocalStudy>>>).value;
    expectOneRecordPerPlannedRequest(result.plan, readRecords(result.runDir));
    expect(manifestOf(result.runDir).status).toBe('completed');
  }, 90_000);

  test('re-running a finished run id is refused: its ground truth, records and report are never overwritten', async () => {
    const { result } = await runStudy('', {}, { study: fixture('fault-study.json'), run: 'finished' });
    const truthBefore = readFileSync(result.groundTruthPath, 'utf8');
    const shard = path.join(result.runDir, 'steps', result.plan.steps[0]!.id, '000.jsonl');
    const shardMtime = statSync(shard).mtimeMs;
    await expect(
      runLocalStudy({ study: fixture('fault-study.json'), outDir: path.dirname(path.dirname(result.runDir)), bundles: await testRuntimeBundles(), run: 'finished', report: false }),
    ).rejects.toThrow(/run finished already exists \(run\.json: completed\): refused, a run is never overwritten/);
    expect(readFileSync(result.groundTruthPath, 'utf8')).toBe(truthBefore);
    expect(statSync(shard).mtimeMs).toBe(shardMtime);
    expect(existsSync(path.join(result.runDir, 'report'))).toBe(false);
  }, 60_000);
});

describe('curtain resume', () => {
  test('an interrupted run resumes to exactly one record per planned request, keeping every record it had', async () => {
    const controller = new AbortController();
    const first = await runStudy('', {}, {
      study: fixture('interrupt-study.json'),
      interrupt: controller.signal,
      onEvent: (event) => {
        if (event.kind === 'step' && event.step.kind === 'wait') controller.abort();
      },
    });
    expect(first.manifest.status).toBe('interrupted');
    const before = first.records.filter((r) => r.status === 'ok');
    expect(before.length).toBeGreaterThan(0);
    const resumed = await resumeLocalRun(first.result.runDir, { bundles: await testRuntimeBundles(), report: false });
    expect(resumed.status).toBe('completed');
    expect(resumed.segment).toBe(1);
    const records = readRecords(first.result.runDir);
    expectOneRecordPerPlannedRequest(first.result.plan, records);
    expect(records.every((r) => r.status === 'ok')).toBe(true);
    // What the first segment recorded is untouched.
    for (const r of before) expect(records.find((x) => x.step === r.step && x.request === r.request)).toEqual(r);
    const manifest = manifestOf(first.result.runDir);
    expect(manifest.status).toBe('completed');
    expect(manifest.stepsCompleted).toBe(first.result.plan.steps.length);
    expect(manifest.resumes).toEqual([expect.objectContaining({ fromStep: 2, resend: false })]);
    // The platform saw each request once over both segments.
    const truth = truthJournal(path.dirname(path.dirname(first.result.runDir)), first.result.plan.study.id, first.result.run);
    expect(new Set(truth.map((t) => `${t.step}/${t.request}`)).size).toBe(truth.length);
    expect(truth.filter((t) => t.segment === 1).length).toBeGreaterThan(0);
  }, 90_000);

  test('refuses a completed run, and a run whose plan.json was edited', async () => {
    const { result } = await runStudy('', {}, { study: fixture('fault-study.json') });
    await expect(resumeLocalRun(result.runDir, { bundles: await testRuntimeBundles() })).rejects.toThrow(/the run is completed: there is nothing to resume/);
    const planFile = path.join(result.runDir, 'plan.json');
    const plan = JSON.parse(readFileSync(planFile, 'utf8'));
    plan.steps[0].requests += 1;
    require('node:fs').writeFileSync(planFile, JSON.stringify(plan));
    await expect(resumeLocalRun(result.runDir, { bundles: await testRuntimeBundles() })).rejects.toThrow(/plan\.json: its content does not match its hash/);
  }, 60_000);
});

test('Ctrl-C during the report of a run: the report stops and the command exits 130 (was: the report carried on, exit 0)', async () => {
  const controller = new AbortController();
  const { localRunExitCode } = await import('../../local/run/render-result');
  const { result } = await runStudy('', {}, {
    study: fixture('fault-study.json'),
    report: true,
    interrupt: controller.signal,
    log: (line) => {
      if (/^reading \d+ shard file/.test(line)) controller.abort();
    },
  });
  expect(result.status).toBe('completed');
  expect(result.report).toBeNull();
  expect(result.reportInterrupted).toBe(true);
  expect(result.reportNote).toMatch(/the report was stopped .*curtain report/);
  expect(existsSync(path.join(result.runDir, 'report', 'report.md'))).toBe(false);
  expect(localRunExitCode(result)).toBe(130);
}, 60_000);
