// The driver-local bundle end to end, as the local platform runs it: one process per driver call.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ensureRuntimeBuilt } from '../../../probe-runtime/build/ensure-runtime-built';
import { REPO_ROOT } from '../../../probe-runtime/build/build-runtime';
import { BurstShardSummary } from '../../../probe-runtime/contracts/driver-event';
import { InvocationRecord } from '../../../probe-runtime/contracts/invocation-record';
import { RunManifest } from '../../../probe-runtime/contracts/run-manifest';
import { RUN, tempDir } from './support/driver-fixture';
import { type FakeProbeServer, startFakeProbeServer } from './support/fake-probe-server';
import { burstStep, testPlan } from './support/plan-fixture';

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

let driverFile: string;
const plan = testPlan({ requestsPerTarget: 4, concurrency: 1 });
const common = { v: 1, study: plan.study.id, run: RUN, planHash: plan.hash };

function runDriver(stdin: string, env: Record<string, string>, onSpawn?: (kill: (s: NodeJS.Signals) => void) => void): Promise<Exit> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [driverFile], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
    onSpawn?.((signal) => child.kill(signal));
  });
}

describe('driver-local as a process', () => {
  let server: FakeProbeServer | undefined;
  let tmp: ReturnType<typeof tempDir>;
  let env: Record<string, string>;
  beforeAll(async () => {
    const manifest = await ensureRuntimeBuilt();
    const bundle = manifest.bundles['driver-local'];
    driverFile = path.resolve(REPO_ROOT, bundle.dir, bundle.entry);
  });
  beforeEach(() => {
    tmp = tempDir('local-entry');
    writeFileSync(path.join(tmp.dir, 'plan.json'), JSON.stringify(plan));
    env = { CURTAIN_PLAN_FILE: path.join(tmp.dir, 'plan.json'), CURTAIN_RESULTS_DIR: path.join(tmp.dir, 'results') };
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    tmp.remove();
  });

  test('start-run, a burst shard and finish-run: summaries on stdout, files in the bucket layout', async () => {
    server = await startFakeProbeServer();
    const provenance = { notes: ['emulated platform'], local: { profile: 'aws-2018', timeScale: 60, cpuQuota: { applied: false, reason: 'test' }, faults: [] } };
    const withEndpoint = { ...env, CURTAIN_LOCAL_ENDPOINT: server.endpoint, CURTAIN_RUN_PROVENANCE: JSON.stringify(provenance) };
    const started = await runDriver(JSON.stringify({ ...common, action: 'start-run' }), withEndpoint);
    expect(started).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(started.stdout)).toMatchObject({ action: 'start-run', run: RUN });

    const burst = await runDriver(JSON.stringify({ ...common, action: 'burst', step: burstStep(plan), shard: 0 }), withEndpoint);
    expect(burst.code).toBe(0);
    expect(burst.stdout.trim().split('\n')).toHaveLength(1);
    const summary = BurstShardSummary.parse(JSON.parse(burst.stdout));
    expect(summary.counts).toEqual({ ok: 8, error: 0, throttled: 0, timeout: 0, skipped: 0 });
    const records = readFileSync(path.join(tmp.dir, 'results', summary.key), 'utf8').trimEnd().split('\n').map((l) => InvocationRecord.parse(JSON.parse(l)));
    expect(records.map((r) => r.request)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(server.arrivals.map((a) => a.functionKey)).toEqual(records.map((r) => r.target));

    const finished = await runDriver(JSON.stringify({ ...common, action: 'finish-run', status: 'completed', stepsCompleted: 3 }), env);
    expect(finished.code).toBe(0);
    const manifest = RunManifest.parse(JSON.parse(readFileSync(path.join(tmp.dir, 'results', plan.study.id, RUN, 'run.json'), 'utf8')));
    expect(manifest).toMatchObject({ status: 'completed', provider: 'local', stepsCompleted: 3, notes: ['emulated platform'], local: provenance.local });
    expect(manifest.tool.version).toBe((JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version);
  });

  test('bad input: one line on stderr and exit 1', async () => {
    const garbage = await runDriver('{not json', env);
    expect(garbage.code).toBe(1);
    expect(garbage.stdout).toBe('');
    expect(garbage.stderr).toMatch(/^driver-local: stdin: not a JSON driver event \(.+\)\n$/);

    const refused = await runDriver(JSON.stringify({ ...common, action: 'burst', step: burstStep(plan), shard: 5 }), { ...env, CURTAIN_LOCAL_ENDPOINT: 'http://127.0.0.1:9' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe('driver-local: shard: step 0 has 1 shard(s) (0..0); shard 5 is out of range\n');

    const noPlan = await runDriver(JSON.stringify({ ...common, action: 'start-run' }), { CURTAIN_RESULTS_DIR: env.CURTAIN_RESULTS_DIR! });
    expect(noPlan.code).toBe(1);
    expect(noPlan.stderr).toBe('driver-local: CURTAIN_PLAN_FILE is not set (the plan.json of the run)\n');

    const noEndpoint = await runDriver(JSON.stringify({ ...common, action: 'burst', step: burstStep(plan), shard: 0 }), env);
    expect(noEndpoint.code).toBe(1);
    expect(noEndpoint.stderr).toBe("driver-local: CURTAIN_LOCAL_ENDPOINT is not set (the local platform's front door)\n");
  });

  test('a failed write exits 3 with one line', async () => {
    writeFileSync(path.join(tmp.dir, 'results'), 'a file where the results directory should be');
    const failed = await runDriver(JSON.stringify({ ...common, action: 'start-run' }), env);
    expect(failed.code).toBe(3);
    expect(failed.stderr).toMatch(/^driver-local: .*(ENOTDIR|EEXIST).*\n$/);
  });

  test('SIGTERM stops sending: the shard is still written, unsent requests recorded as skipped', async () => {
    let kill: (s: NodeJS.Signals) => void = () => undefined;
    server = await startFakeProbeServer((_req, i) => {
      if (i === 1) kill('SIGTERM');
      // Slow answers: the signal is handled long before request 1's answer frees the next send.
      return { kind: 'ok', delayMs: 300 };
    });
    const result = await runDriver(JSON.stringify({ ...common, action: 'burst', step: burstStep(plan), shard: 0 }), { ...env, CURTAIN_LOCAL_ENDPOINT: server.endpoint }, (k) => (kill = k));
    expect(result.code).toBe(0);
    const summary = BurstShardSummary.parse(JSON.parse(result.stdout));
    expect(summary.requests).toBe(8);
    expect(summary.counts.ok).toBe(2);
    expect(summary.counts.skipped).toBe(6);
    const records = readFileSync(path.join(tmp.dir, 'results', summary.key), 'utf8').trimEnd().split('\n').map((l) => InvocationRecord.parse(JSON.parse(l)));
    expect(records.filter((r) => r.status === 'skipped').every((r) => r.error === 'not sent: the driver was stopped before sending it (the driver received SIGTERM)')).toBe(true);
  });
});
