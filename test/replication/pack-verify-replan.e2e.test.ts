/**
 * A local run end to end as a reviewer gets it: run.json records every
 * option; `curtain pack` writes the package; `curtain verify` passes it and
 * names the shard after one byte of it is altered; `curtain replan --execute`
 * from the package reruns exactly the same plan with the package's bundles.
 * Pack refuses a shard that is a link and a plan edited after the run.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { RunManifest } from '../../probe-runtime/contracts/run-manifest';
import { StudyPlan } from '../../experiments/plan-schema';
import { PackageManifest } from '../../replication/package-manifest';
import { runInProcess } from '../cli/run-cli';
import { alterOneByte } from './tamper';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'curtain-pack-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const RUN = '20261206T000000Z-orig';
const runDir = path.join(tmp, 'results', 'coldstart', RUN);
const pkg = path.join(tmp, 'published.curtain.tar.gz');
const options = ['--set', 'rounds=1', '--set', 'runtimes=nodejs', '--set', 'memoryMb=128,256', '--seed', '7', '--profile', 'aws-2018', '--profile-set', 'lifecycle.freezeBetweenInvocations=false', '--fault', 'slowHosts=0.5'];

beforeAll(async () => {
  const ran = await runInProcess(['run', 'coldstart', ...options, '--out', path.join(tmp, 'results'), '--run', RUN], tmp);
  expect(ran.stderr).not.toMatch(/internal error/);
  expect(ran.code).toBe(0);
}, 120_000);

describe('replication package of a local run', () => {
  test('run.json records the source, lockfile, runtimes and every option', () => {
    const manifest = RunManifest.parse(JSON.parse(readFileSync(path.join(runDir, 'run.json'), 'utf8')));
    expect(manifest.origin).toMatchObject({
      recordedBy: 'run',
      options: {
        target: 'local',
        study: { kind: 'catalog', id: 'coldstart' },
        set: ['rounds=1', 'runtimes=nodejs', 'memoryMb=128,256'],
        profile: 'aws-2018',
        profileSet: ['lifecycle.freezeBetweenInvocations=false'],
        fault: ['slowHosts=0.5'],
        seed: 7,
        timeScaleGiven: false,
        bundles: null,
      },
      runtimes: { node: process.versions.node },
    });
    expect(manifest.origin!.source.sourceSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.origin!.lockfileSha256).toMatch(/^[0-9a-f]{64}$/);
    // The profile note names the override instead of describing the unmodified profile as what ran.
    expect(manifest.notes[0]).toContain('modified by --profile-set lifecycle.freezeBetweenInvocations=false');
  });

  test('pack, verify, and a one-byte change of a shard named by verify', async () => {
    const packed = await runInProcess(['pack', runDir, '--out', pkg, '--json'], tmp);
    expect(packed.code).toBe(0);
    const summary = JSON.parse(packed.stdout);
    expect(summary.sha256).toMatch(/^[0-9a-f]{64}$/);
    const verified = await runInProcess(['verify', pkg, '--json'], tmp);
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, problems: [] });

    const listed = PackageManifest.parse(JSON.parse(gunzipSync(readFileSync(pkg)).subarray(512).toString('utf8').replace(/\0[\s\S]*$/, '')));
    const paths = listed.files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['run/plan.json', 'run/run.json', 'run/report/report.md', 'ground-truth.json', 'definition/definition.json', 'runtime/dist/runtime/manifest.json', 'runtime/dist/runtime/driver-local/index.js', 'source/package-lock.json']));
    const shard = listed.files.find((f) => /^run\/steps\/.*\/000\.jsonl$/.test(f.path))!;

    const tampered = path.join(tmp, 'tampered.curtain.tar.gz');
    alterOneByte(pkg, new RegExp(`${shard.path.replace(/[.]/g, '\\.')}$`), tampered);
    const bad = await runInProcess(['verify', tampered], tmp);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(`${shard.path}: sha256 differs (expected ${shard.sha256}, actual `);
    expect(bad.stdout).toMatch(/does NOT verify \(1 problem\)/);
  });

  test('replan --execute from the package reruns the same plan with the package\'s bundles', async () => {
    const plan = StudyPlan.parse(JSON.parse(readFileSync(path.join(runDir, 'plan.json'), 'utf8')));
    const into = path.join(tmp, 'unpacked');
    const out = path.join(tmp, 'rerun');
    const result = await runInProcess(['replan', pkg, '--into', into, '--out', out, '--execute'], tmp);
    expect(result.stderr).not.toMatch(/internal error/);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`--bundles ${path.join(into, 'runtime')}`);
    const [rerun] = readdirSync(path.join(out, 'coldstart'));
    const again = StudyPlan.parse(JSON.parse(readFileSync(path.join(out, 'coldstart', rerun!, 'plan.json'), 'utf8')));
    expect(again.hash).toBe(plan.hash);
    const manifest = RunManifest.parse(JSON.parse(readFileSync(path.join(out, 'coldstart', rerun!, 'run.json'), 'utf8')));
    const original = RunManifest.parse(JSON.parse(readFileSync(path.join(runDir, 'run.json'), 'utf8')));
    // Every option the same; the rerun states the time scale and the attempt cap explicitly (the values the original took by default).
    expect(manifest.origin!.options).toMatchObject({
      ...original.origin!.options,
      set: expect.any(Array),
      bundles: path.join(into, 'runtime'),
      timeScaleGiven: true,
      maxInvocations: plan.budget.maxInvocations,
    });
    expect(manifest.bundles).toEqual(original.bundles);
    // A second replan reuses the verified unpacking instead of refusing or overwriting it.
    const reuse = await runInProcess(['replan', pkg, '--into', into, '--json'], tmp);
    expect(reuse.code).toBe(0);
    expect(reuse.stderr).toContain('holds this package already (verified)');
  }, 120_000);

  test('pack refuses a shard that is a link, and a plan edited after the run', async () => {
    const copy = path.join(tmp, 'copy', 'coldstart', RUN);
    cpSync(runDir, copy, { recursive: true });
    const stepDir = path.join(copy, 'steps', readdirSync(path.join(copy, 'steps'))[0]!);
    unlinkSync(path.join(stepDir, '000.jsonl'));
    symlinkSync('/etc/passwd', path.join(stepDir, '000.jsonl'));
    const linked = await runInProcess(['pack', copy, '--out', path.join(tmp, 'linked.tar.gz')], tmp);
    expect(linked.code).toBe(1);
    expect(linked.stderr).toMatch(/000\.jsonl is a symbolic link: a package holds only regular files/);

    cpSync(path.join(runDir, 'steps'), path.join(copy, 'steps'), { recursive: true, force: true });
    const plan = JSON.parse(readFileSync(path.join(copy, 'plan.json'), 'utf8'));
    writeFileSync(path.join(copy, 'plan.json'), JSON.stringify({ ...plan, invocations: plan.invocations + 1 }));
    const edited = await runInProcess(['pack', copy, '--out', path.join(tmp, 'edited.tar.gz')], tmp);
    expect(edited.code).toBe(1);
    expect(edited.stderr).toMatch(/was edited after it was planned: its content hashes to [0-9a-f]{64}, not its recorded [0-9a-f]{64}/);
  });
});
