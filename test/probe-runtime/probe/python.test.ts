/**
 * The Python probe (probe-runtime/python) run under python3: the same collectors on the same fixture
 * trees, the same request validation, tasks with plausible values, and responses that pass both the zod
 * ProbeResponse schema and, under python3 itself, docs/schemas/probe-response.schema.json.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { covertPattern } from '../../../probe-runtime/contracts/covert-pattern';
import { ShimReady, ShimResult } from '../../../probe-runtime/contracts/local-shim';
import { ProbeResponse } from '../../../probe-runtime/contracts/probe-wire';
import { nowMs } from '../../../probe-runtime/probe/clock';
import { workUnit } from '../../../probe-runtime/probe/tasks/cpu-kernel';
import { MIB } from '../../../probe-runtime/probe/tasks/task-result';
import { FIXTURE_EXPECTATIONS } from './fixture-expectations';
import { cleanEnv, FIXTURES, fixtureRoots, probeRequest, REPO, ShimClient, startNetTestServer, tempDir, type NetTestServer } from './helpers';
import { expectAgreement, INVALID_REQUESTS, VALID_REQUESTS, type Outcome } from './request-cases';

const RUNNER = path.join(__dirname, 'python/run_probe.py');
const SCHEMA = path.join(REPO, 'docs/schemas/probe-response.schema.json');
const PROBE_PY = path.join(REPO, 'probe-runtime/python/probe.py');
const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** Run one run_probe.py command (asynchronously, so loopback servers in this process keep serving). */
function python<T>(command: string, args: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [RUNNER, command], { env: cleanEnv({ PYTHONDONTWRITEBYTECODE: '1' }) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(stdout) as T) : reject(new Error(`python3 ${command} exited ${code}: ${stderr}`))));
    child.stdin.end(JSON.stringify(args));
  });
}

type TaskOut = { name: string; ok: boolean; error: string | null; values: Record<string, number | string | boolean | null> };
const runTasks = (tasks: unknown[]) => python<TaskOut[]>('tasks', { tmpDir: tmp.dir, tasks });
const schemaErrors = (documents: unknown[]) => python<string[][]>('schema', { schema: SCHEMA, documents });

test('collectors: the Python probe reads every fixture tree exactly as the Node probe must', async () => {
  const trees = Object.keys(FIXTURE_EXPECTATIONS).map((name) => path.join(FIXTURES, name));
  expect(await python('fingerprints', { trees })).toEqual(FIXTURE_EXPECTATIONS);
  expect(readdirSync(FIXTURES).filter((n) => !n.includes('.')).length).toBe(trees.length);
});

test('the covert channel draws the same balanced bit patterns as the Node probe and the analysis', async () => {
  const cases: [number, number, number][] = [
    [1, 0, 16],
    [1, 63, 16],
    [7, 3, 4],
    [2_147_483_647, 10, 64],
    [0, 0, 5],
  ];
  const patterns = await python<number[][]>('covert-patterns', { cases });
  expect(patterns).toEqual(cases.map(([seed, frame, bits]) => covertPattern(seed, frame, bits)));
  for (const [i, p] of patterns.entries()) expect(p.filter((b) => b === 1)).toHaveLength(Math.floor(cases[i]![2] / 2));
});

test('request validation agrees with zod on the whole table', async () => {
  const cases = [...VALID_REQUESTS, ...INVALID_REQUESTS];
  const outcomes = await python<Outcome[]>('validate-requests', { cases: cases.map((c) => c.input) });
  cases.forEach((c, i) => expectAgreement(c, outcomes[i]!));
});

describe('responses', () => {
  let responses: Array<{ response?: ProbeResponse; error?: string }>;
  const barrierAt = Date.now() + 300;

  beforeAll(async () => {
    responses = await python('handle', {
      options: { proc_root: fixtureRoots('docker-v1').procRoot, sys_root: fixtureRoots('docker-v1').sysRoot, tmp_dir: tmp.dir },
      env: { CURTAIN_GENERATION: 'g4', CURTAIN_MEMORY_MB: '1024', K_REVISION: 'probe-00004' },
      pauseMs: 150,
      requests: [
        probeRequest({ name: 'noop' }, { barrierAt }),
        { ...probeRequest(), task: { name: 'sleep' } },
        probeRequest({ name: 'cpu-work', units: 3 }),
        probeRequest({ name: 'background', durationMs: 100 }),
        probeRequest({ name: 'sleep', ms: 20 }),
        probeRequest(),
        probeRequest(),
        probeRequest(),
        probeRequest({ name: 'noop' }, { payload: 'x'.repeat(100), responseBytes: 1000 }),
      ],
    });
  });

  test('payload sizes: a response padded to the responseBytes the request asked for, and only then', () => {
    const padded = responses[responses.length - 1]!.response!;
    expect(padded.payload).toHaveLength(1000);
    expect(padded.payload).toMatch(/^x+$/);
    for (const r of responses.slice(0, -1)) if (r.response) expect(r.response.payload).toBeUndefined();
  });

  test('every response passes the zod ProbeResponse schema and the exported JSON Schema under python3', async () => {
    const valid = responses.filter((r) => r.response).map((r) => r.response!);
    expect(valid).toHaveLength(8);
    for (const response of valid) expect(ProbeResponse.parse(response)).toEqual(response);
    expect(await schemaErrors(valid)).toEqual(valid.map(() => []));
  });

  test('the JSON Schema check can fail: broken responses are rejected with their path', async () => {
    const good = responses[0]!.response!;
    const broken = [
      { ...good, v: 2 },
      { ...good, host: { ...good.host, cpuCount: 'two' } },
      { ...good, extra: true },
      { ...good, task: { ...good.task, values: { nested: { a: 1 } } } },
      Object.fromEntries(Object.entries(good).filter(([k]) => k !== 'timing')),
      { ...good, instance: { ...good.instance, invocation: 0 } },
    ];
    const errors = await schemaErrors(broken);
    expect(errors.map((e) => e.length > 0)).toEqual(broken.map(() => true));
    expect(errors[1]!.join()).toContain('host.cpuCount');
    expect(errors[2]!.join()).toContain('extra');
    expect(errors[4]!.join()).toContain('timing');
    // zod agrees that each is invalid.
    for (const document of broken) expect(ProbeResponse.safeParse(document).success).toBe(false);
  });

  test('identity, fingerprint, environment and barrier', () => {
    const [first, invalid, work] = responses;
    expect(first!.response).toMatchObject({
      probe: 'python@1',
      runtime: 'python',
      instance: { invocation: 1, cold: true },
      host: FIXTURE_EXPECTATIONS['docker-v1']!.host,
      cpuDelta: { user: 0, steal: 0 },
      providerIds: { K_REVISION: 'probe-00004' },
      generation: 'g4',
      memoryMb: 1024,
      backgroundWork: null,
    });
    expect(first!.response!.runtimeVersion).toMatch(/^3\.\d+\.\d+/);
    expect(first!.response!.instance.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(first!.response!.timing.barrierReleasedAt!).toBeGreaterThanOrEqual(barrierAt - 1);
    expect(first!.response!.timing.taskStartedAt).toBeGreaterThanOrEqual(first!.response!.timing.barrierReleasedAt!);
    expect(invalid).toEqual({ error: 'invalid probe request: task.ms: expected number, received undefined' });
    expect(work!.response!.instance).toMatchObject({ invocation: 3, cold: false, id: first!.response!.instance.id });
  });

  test('cpu-work runs the same kernel as Node: same checksum', () => {
    let checksum = 1;
    for (let i = 0; i < 3; i++) checksum = workUnit(checksum);
    expect(responses[2]!.response!.task.values).toMatchObject({ unitsDone: 3, completed: true, checksum });
  });

  test('background work started by one invocation is reported by the next ones', () => {
    // Invocation 4 started 100 ms of work; invocations 5-8 arrive ~150 ms apart and report it.
    const reports = responses.slice(4).map((r) => r.response!.backgroundWork!);
    expect(reports.every((r) => r.startedInvocation === 4 && r.durationMs === 100)).toBe(true);
    expect(reports.map((r) => r.unitsDone)).toEqual([...reports.map((r) => r.unitsDone)].sort((a, b) => a - b));
    const last = reports.at(-1)!;
    expect(last).toMatchObject({ running: false });
    expect(last.unitsDone).toBeGreaterThan(0);
    expect(last.lastProgressAt! - last.startedAt).toBeGreaterThanOrEqual(100);
    // workMs is the thread's CPU time: positive, never more than the wall time it spanned.
    expect(last.workMs).toBeGreaterThan(0);
    expect(last.workMs).toBeLessThanOrEqual(last.lastProgressAt! - last.startedAt + 1);
  });
});

describe('tasks', () => {
  test('cpu-share, cpu-work bound, io, memory, sleep: plausible values within their bounds', async () => {
    const [work, io, ioCut, memory, sleep] = await runTasks([
      { name: 'cpu-work', units: 100_000, maxMs: 60 },
      { name: 'io', megabytes: 4, blockKb: 256, maxMs: 60_000 },
      { name: 'io', megabytes: 1024, blockKb: 64, maxMs: 20 },
      { name: 'memory', megabytes: 32 },
      { name: 'sleep', ms: 25 },
    ]);
    expect(work!.values).toMatchObject({ completed: false });
    expect(work!.values.workMs as number).toBeGreaterThanOrEqual(60);
    expect(work!.values.workMs as number).toBeLessThan(3000); // at most one unit (~30 ms) over, on a loaded machine more
    expect(io).toMatchObject({ ok: true, values: { bytesWritten: 4 * MIB, completed: true } });
    expect(io!.values.mbPerSec as number).toBeGreaterThan(0);
    expect(ioCut!.values).toMatchObject({ completed: false });
    expect(ioCut!.values.writeMs as number).toBeLessThan(2000);
    expect(readdirSync(tmp.dir).filter((f) => f.startsWith('curtain-io-'))).toEqual([]);
    expect(memory).toMatchObject({ ok: true, values: { touchedMb: 32, completed: true } });
    expect(sleep!.values.sleptMs as number).toBeGreaterThanOrEqual(24.9);
  });

  test('cpu-share: the share it reports is the CPU time the process really got', async () => {
    const { values, cpuMs } = await python<{ values: Record<string, number>; cpuMs: number }>('cpu-share', { durationMs: 300, gapThresholdUs: 200 });
    expect(values.wallMs).toBeGreaterThanOrEqual(300);
    expect(values.share).toBeGreaterThan(0);
    expect(values.share).toBeLessThanOrEqual(1);
    // On an idle machine both are near 1; on a loaded one both drop, together.
    expect(Math.abs(values.share - cpuMs / values.wallMs)).toBeLessThan(0.15);
    expect(values.iterations).toBeGreaterThan(1000);
  });

  test('an unwritable tmp dir is a failed io task, not a crash', async () => {
    const [io] = await python<TaskOut[]>('tasks', { tmpDir: '/nonexistent/dir', tasks: [{ name: 'io', megabytes: 1, blockKb: 64, maxMs: 1000 }] });
    expect(io).toMatchObject({ ok: false, error: expect.stringMatching(/^io: .*No such file/) });
  });

  describe('net against a loopback server', () => {
    let server: NetTestServer;
    beforeAll(async () => {
      server = await startNetTestServer(204);
    });
    afterAll(() => server.close());

    test('download, upload, errors and the maxMs bound', async () => {
      const started = nowMs();
      const [down, up, missing, noUrl, stalled, hang] = await runTasks([
        { name: 'net', direction: 'download', megabytes: 4, url: `${server.url}/data?mb=4`, maxMs: 10_000 },
        { name: 'net', direction: 'upload', megabytes: 2, url: `${server.url}/up`, maxMs: 10_000 },
        { name: 'net', direction: 'download', megabytes: 1, url: `${server.url}/missing`, maxMs: 5000 },
        { name: 'net', direction: 'download', megabytes: 1, maxMs: 5000 },
        { name: 'net', direction: 'download', megabytes: 8, url: `${server.url}/trickle`, maxMs: 600 },
        { name: 'net', direction: 'download', megabytes: 1, url: `${server.url}/hang`, maxMs: 150 },
      ]);
      expect(down).toMatchObject({ ok: true, values: { bytes: 4 * MIB, status: 200, completed: true } });
      expect(down!.values.mbitPerSec as number).toBeGreaterThan(0);
      expect(up).toMatchObject({ ok: true, values: { bytes: 2 * MIB, status: 204, completed: true } });
      expect(server.uploaded()).toBe(2 * MIB);
      expect(missing).toMatchObject({ ok: false, error: 'net: HTTP 404', values: { status: 404 } });
      expect(noUrl).toMatchObject({ ok: false, error: expect.stringContaining('no url') });
      expect(stalled).toMatchObject({ ok: true, values: { completed: false, bytes: server.blockBytes } });
      expect(stalled!.values.ms as number).toBeGreaterThanOrEqual(600);
      expect(stalled!.values.ms as number).toBeLessThan(3500);
      expect(hang).toMatchObject({ ok: false, error: 'net: nothing transferred within 150 ms', values: { bytes: 0, completed: false } });
      expect(nowMs() - started).toBeLessThan(15_000);
    });
  });
});

describe('entry points', () => {
  const env = { CURTAIN_PROC_ROOT: fixtureRoots('lambda-2018').procRoot, CURTAIN_SYS_ROOT: fixtureRoots('lambda-2018').sysRoot };

  test('Lambda handler(event, context): response with the request id; invalid events raise with the path', async () => {
    const out = await python<Array<{ response?: ProbeResponse; error?: string; type?: string }>>('lambda', {
      env: { ...env, CURTAIN_TMP_DIR: tmp.dir, AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128', AWS_LAMBDA_LOG_STREAM_NAME: '2026/11/26/[$LATEST]ab' },
      events: [probeRequest(), { ...probeRequest(), attempt: 0 }],
    });
    const response = ProbeResponse.parse(out[0]!.response);
    expect(response).toMatchObject({
      memoryMb: 128,
      providerIds: { awsRequestId: 'req-0', AWS_LAMBDA_LOG_STREAM_NAME: '2026/11/26/[$LATEST]ab' },
      host: { hypervisorUuid: 'ec2e1916-9099-7caf-fd21-012345abcdef' },
    });
    expect(out[1]).toEqual({ error: 'invalid probe request: attempt: too small: expected a number >= 1', type: 'ProbeRequestError' });
  });

  test('Google probe(request): 200 / 400 naming the path / 405, JSON bodies', async () => {
    const out = await python<Array<{ status: number; headers: Record<string, string>; body: Record<string, unknown> }>>('google', {
      env: { ...env, CURTAIN_TMP_DIR: tmp.dir },
      calls: [
        { method: 'POST', body: JSON.stringify(probeRequest()), headers: { 'Function-Execution-Id': 'ex-1' } },
        { method: 'POST', body: JSON.stringify({ ...probeRequest(), task: { name: 'memory', megabytes: 0 } }) },
        { method: 'POST', body: '{oops' },
        { method: 'GET', body: '' },
      ],
    });
    expect(out.map((o) => o.status)).toEqual([200, 400, 400, 405]);
    expect(out[0]!.headers).toEqual({ 'Content-Type': 'application/json' });
    expect(ProbeResponse.parse(out[0]!.body).providerIds.executionId).toBe('ex-1');
    expect(out[1]!.body).toEqual({ error: 'invalid probe request: task.megabytes: too small: expected a number >= 1' });
  });

  test('python3 probe.py --shim speaks the local shim protocol', async () => {
    const instanceTmp = tempDir();
    const shim = new ShimClient('python3', [PROBE_PY, '--shim'], cleanEnv({
      ...fixtureRoots('arm64'),
      CURTAIN_PROC_ROOT: fixtureRoots('arm64').procRoot,
      CURTAIN_TMP_DIR: instanceTmp.dir,
      CURTAIN_LOCAL_INSTANCE_ID: 'h2/i9',
      PYTHONDONTWRITEBYTECODE: '1',
    }));
    try {
      const ready = ShimReady.parse(await shim.next());
      expect(ready.pid).toBe(shim.child.pid);
      shim.send({ type: 'invoke', id: 1, request: probeRequest() });
      const first = ShimResult.parse(await shim.next()) as { id: number; response: unknown };
      expect(first.id).toBe(1);
      expect(ProbeResponse.parse(first.response)).toMatchObject({
        runtime: 'python',
        host: { cpuModel: 'ARM Neoverse-N1 r3p1' },
        providerIds: { CURTAIN_LOCAL_INSTANCE_ID: 'h2/i9' },
      });
      shim.send({ type: 'invoke', id: 2, request: { ...probeRequest(), target: '' } });
      expect(await shim.next()).toEqual({ type: 'result', id: 2, error: 'invalid probe request: target: too small: expected a string of at least 1 character(s)' });
      shim.send('garbage');
      shim.send({ type: 'ping', id: 3 });
      expect(await shim.next()).toMatchObject({ type: 'result', id: 3, error: expect.stringContaining('invoke') });
      shim.send({ type: 'invoke', id: 4, request: probeRequest() });
      expect(ProbeResponse.parse((await shim.next()).response).instance).toMatchObject({ invocation: 3, cold: false });
      expect(await shim.close()).toBe(0);
      expect(shim.lines).toHaveLength(5);
      expect(shim.stderr).toContain('not JSON');
    } finally {
      shim.kill();
      instanceTmp.cleanup();
    }
  });
});
