/** `curtain run`: options validated at the boundary, the one-screen summary, exit codes, and Ctrl-C. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { main } from '../../cli/main';
import type { CliIo } from '../../cli/command';
import { RunManifest } from '../../probe-runtime/contracts/run-manifest';
import { GroundTruth } from '../../local/ground-truth';
import { scratchDir } from '../support/scratch-dirs';
import { isAlive } from './helpers';
import { expectOneRecordPerPlannedRequest, readRecords } from './support/e2e';
import { testRuntimeBundles } from './support/runtime-bundles';

const REPO = path.resolve(__dirname, '../..');

function capture(): { io: CliIo; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    io: { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`), isTty: false, cwd: scratchDir('curtain-cli-') },
    out: () => out,
    err: () => err,
  };
}

beforeAll(async () => {
  await testRuntimeBundles(); // build once, before any timing-sensitive test
});

describe('options', () => {
  test.each([
    [['run', 'coldstart', '--profile', 'aws-2019'], /--profile: .*expected one of modern, aws-2018, azure-2018, gcp-2018/],
    [['run', 'coldstart', '--fault', 'crash=2'], /--fault:\s+crash: .*(<=|at most|too big)/i],
    [['run', 'coldstart', '--time-scale', '0'], /--time-scale/],
    [['run', 'coldstart', '--profile-set', 'lifecycle.freezeBetweenInvocations=maybe'], /lifecycle\.freezeBetweenInvocations/],
    [['run', 'coldstart', '--set', 'rounds=0'], /rounds/],
    [['run', 'coldstrat'], /unknown study "coldstrat"; did you mean "coldstart"/],
    [['run'], /missing <study>/],
  ])('%j is refused with a message naming the problem (exit 1)', async (args, message) => {
    const c = capture();
    expect(await main(args, c.io)).toBe(1);
    expect(c.err()).toMatch(message);
    expect(c.err()).not.toMatch(/\n\s+at /); // no stack trace
  });

  test('a plan over budget is refused before anything runs (exit 2)', async () => {
    const c = capture();
    expect(await main(['run', 'coldstart', '--max-invocations', '10'], c.io)).toBe(2);
    expect(c.err()).toMatch(/over budget/);
  });

  test('--list-profiles lists every profile', async () => {
    const c = capture();
    expect(await main(['run', '--list-profiles'], c.io)).toBe(0);
    for (const name of ['modern', 'aws-2018', 'azure-2018', 'gcp-2018']) expect(c.out()).toMatch(name);
  });
});

test('a small run prints progress on stderr and a one-screen summary on stdout (exit 0)', async () => {
  const c = capture();
  const code = await main(['run', 'coldstart', '--set', 'memoryMb=[128]', '--set', 'runtimes=["nodejs"]', '--set', 'rounds=1', '--out', 'results', '--no-report'], c.io);
  expect(code).toBe(0);
  expect(c.err()).toMatch(/curtain run coldstart: 4 requests in 3 steps, profile modern, time scale 1x/);
  expect(c.out()).toMatch(/coldstart on the local platform: completed/);
  expect(c.out()).toMatch(/records +4 of 4 planned: ok 4/);
  expect(c.out()).toMatch(/ground truth results\/\.ground-truth\/coldstart\//);
  expect(c.out().split('\n').length).toBeLessThan(30);
});

test('Ctrl-C stops the run: exit 130, every instance ended, run.json interrupted, unsent requests skipped', async () => {
  const out = scratchDir('curtain-interrupt-');
  const child = spawn(process.execPath, [path.join(REPO, 'bin', 'curtain.js'), 'run', path.join(__dirname, 'fixtures', 'interrupt-study.json'), '--out', out, '--no-report', '--json'], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  const waiting = new Promise<void>((resolve) => {
    child.stderr.on('data', (d) => {
      stderr += d;
      // The first burst is done and the minute-long wait has begun (a little under a minute of real time:
      // the platform clock counts the burst's own time in).
      if (/waiting [\d.]+ s \(60 s of platform time\)/.test(stderr)) resolve();
    });
  });
  await waiting;
  const interruptedAt = Date.now();
  child.kill('SIGINT');
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(code).toBe(130);
  expect(Date.now() - interruptedAt).toBeLessThan(10_000);
  expect(stderr).toMatch(/SIGINT: stopping/);

  const summary = JSON.parse(stdout) as { runDir: string; groundTruth: string; status: string };
  expect(summary.status).toBe('interrupted');
  const manifest = RunManifest.parse(JSON.parse(readFileSync(path.join(summary.runDir, 'run.json'), 'utf8')));
  expect(manifest.status).toBe('interrupted');
  expect(manifest.endedAt).not.toBeNull();
  const plan = JSON.parse(readFileSync(path.join(summary.runDir, 'plan.json'), 'utf8'));
  const records = readRecords(summary.runDir);
  expectOneRecordPerPlannedRequest(plan, records);
  expect(records.filter((r) => r.label === 'before').every((r) => r.status === 'ok')).toBe(true);
  expect(records.filter((r) => r.label === 'after').every((r) => r.status === 'skipped')).toBe(true);
  const truth = GroundTruth.parse(JSON.parse(readFileSync(summary.groundTruth, 'utf8')));
  expect(truth.instances.length).toBeGreaterThan(0);
  for (const i of truth.instances) expect(isAlive(i.pid!)).toBe(false);
});
