import { ProbeResponse } from '../../../probe-runtime/contracts/probe-wire';
import { createProbe, ProbeRequestError, type Probe } from '../../../probe-runtime/probe/probe';
import { delay } from '../../../probe-runtime/probe/tasks/barrier';
import { FIXTURE_EXPECTATIONS } from './fixture-expectations';
import { cleanEnv, fixtureRoots, probeRequest, tempDir } from './helpers';

const tmp = tempDir();
const probes: Probe[] = [];
function newProbe(options: Parameters<typeof createProbe>[0] = {}): Probe {
  const probe = createProbe({ ...fixtureRoots('cgroup-v2'), tmpDir: tmp.dir, env: cleanEnv(), ...options });
  probes.push(probe);
  return probe;
}
afterAll(() => {
  for (const probe of probes) probe.stop();
  tmp.cleanup();
});

describe('createProbe().handle', () => {
  test('answers a valid request with a response the contract accepts', async () => {
    const env = cleanEnv({
      CURTAIN_GENERATION: 'g2',
      CURTAIN_MEMORY_MB: '512',
      CURTAIN_LOCAL_INSTANCE_ID: 'host-1/i-7',
      CURTAIN_LOCAL_FUNCTION: 'node-m512-a-0',
    });
    const probe = newProbe({ env });
    const response = await probe.handle(probeRequest(), { providerIds: { awsRequestId: 'req-1' } });
    expect(ProbeResponse.parse(response)).toEqual(response);
    expect(response).toMatchObject({
      v: 1,
      probe: 'node@1',
      runtime: 'nodejs',
      runtimeVersion: process.version,
      instance: { id: probe.instanceId, invocation: 1, cold: true },
      host: FIXTURE_EXPECTATIONS['cgroup-v2']!.host,
      // The fixture's counters do not move: every delta is 0.
      cpuDelta: { user: 0, nice: 0, system: 0, idle: 0, iowait: 0, irq: 0, softirq: 0, steal: 0 },
      providerIds: { CURTAIN_LOCAL_INSTANCE_ID: 'host-1/i-7', CURTAIN_LOCAL_FUNCTION: 'node-m512-a-0', awsRequestId: 'req-1' },
      generation: 'g2',
      memoryMb: 512,
      task: { name: 'noop', ok: true, error: null, values: {} },
      backgroundWork: null,
    });
  });

  test('invocations count up on one instance; a new instance in the same tmp finds the marker', async () => {
    const isolated = tempDir();
    try {
      const first = newProbe({ tmpDir: isolated.dir });
      const a = await first.handle(probeRequest());
      const b = await first.handle(probeRequest());
      expect([a.instance, b.instance]).toMatchObject([
        { invocation: 1, cold: true, tmpMarkerFound: false },
        { invocation: 2, cold: false, tmpMarkerFound: false },
      ]);
      expect(b.instance.id).toBe(a.instance.id);
      const second = newProbe({ tmpDir: isolated.dir });
      const c = await second.handle(probeRequest());
      expect(c.instance).toMatchObject({ invocation: 1, cold: true, tmpMarkerFound: true });
      expect(c.instance.id).not.toBe(a.instance.id);
    } finally {
      isolated.cleanup();
    }
  });

  test('timestamps are epoch ms, ordered, and the barrier holds the task back', async () => {
    const probe = newProbe();
    const barrierAt = Date.now() + 200;
    const response = await probe.handle(probeRequest({ name: 'sleep', ms: 10 }, { barrierAt }));
    const t = response.timing;
    expect(Math.abs(t.receivedAt - Date.now())).toBeLessThan(1000);
    expect(t.barrierReleasedAt!).toBeGreaterThanOrEqual(barrierAt - 1); // the two clocks agree within ~1 ms
    expect(t.receivedAt).toBeLessThanOrEqual(t.barrierReleasedAt!);
    expect(t.barrierReleasedAt!).toBeLessThanOrEqual(t.taskStartedAt);
    expect(t.taskEndedAt - t.taskStartedAt).toBeGreaterThanOrEqual(9.9);
    expect(t.taskEndedAt).toBeLessThanOrEqual(t.respondedAt);
    expect(response.overheadMs.fingerprint).toBeGreaterThan(0);
    expect(response.overheadMs.total).toBeGreaterThanOrEqual(response.overheadMs.fingerprint);
    // The overhead excludes the barrier wait (~200 ms) and the task.
    expect(response.overheadMs.total).toBeLessThan(t.respondedAt - t.receivedAt - (t.taskEndedAt - t.taskStartedAt) - 100);
    expect(response.instance.startedAt).toBeLessThanOrEqual(t.receivedAt);
  });

  test('an invalid request is refused with its path and still counts as an invocation', async () => {
    const probe = newProbe();
    await expect(probe.handle(probeRequest({ name: 'sleep', ms: 0 }))).rejects.toThrow(
      new ProbeRequestError('task.ms', 'too small: expected a number >= 1'),
    );
    await expect(probe.handle('garbage')).rejects.toThrow('invalid probe request: expected object, received string');
    const next = await probe.handle(probeRequest());
    expect(next.instance).toMatchObject({ invocation: 3, cold: false });
  });

  test('payload sizes: the response carries responseBytes of padding when asked, and none otherwise', async () => {
    const probe = newProbe();
    const padded = await probe.handle(probeRequest({ name: 'noop' }, { payload: 'x'.repeat(50), responseBytes: 4096 }));
    expect(ProbeResponse.parse(padded).payload).toHaveLength(4096);
    expect(Buffer.byteLength(JSON.stringify(padded))).toBeGreaterThan(4096);
    const plain = await probe.handle(probeRequest());
    expect(plain.payload).toBeUndefined();
  });

  test('a failing task is reported in a valid response', async () => {
    const response = await newProbe().handle(probeRequest({ name: 'net', direction: 'download', megabytes: 1 }));
    expect(ProbeResponse.safeParse(response).success).toBe(true);
    expect(response.task).toMatchObject({ name: 'net', ok: false, error: expect.stringContaining('no url') });
  });

  test('background work started by one invocation is reported by the next', async () => {
    const probe = newProbe();
    const start = await probe.handle(probeRequest({ name: 'background', durationMs: 60 }));
    expect(start.task).toMatchObject({ name: 'background', ok: true, values: { durationMs: 60 } });
    // The handler returned long before the work ends.
    expect(start.timing.taskEndedAt - start.timing.taskStartedAt).toBeLessThan(start.task.values.durationMs as number);
    await delay(100);
    // Later invocations report the work's progress until it has run its duration.
    const reports = [];
    let next: Awaited<ReturnType<Probe['handle']>>;
    do {
      next = await probe.handle(probeRequest());
      reports.push(ProbeResponse.parse(next).backgroundWork!);
      if (next.backgroundWork!.running) await delay(50);
    } while (next.backgroundWork!.running && reports.length < 100);
    expect(reports.every((r) => r.startedInvocation === 1 && r.durationMs === 60)).toBe(true);
    expect(reports.map((r) => r.unitsDone)).toEqual([...reports.map((r) => r.unitsDone)].sort((a, b) => a - b));
    const last = reports.at(-1)!;
    expect(last.running).toBe(false);
    expect(last.unitsDone).toBeGreaterThan(0);
    expect(last.lastProgressAt! - last.startedAt).toBeGreaterThanOrEqual(60);
  });

  test('on the real /proc the CPU deltas are measured across the invocation', async () => {
    const probe = newProbe({ procRoot: '/proc', sysRoot: '/sys' });
    const response = await probe.handle(probeRequest({ name: 'cpu-work', units: 200, maxMs: 5000 }));
    const delta = response.cpuDelta!;
    expect(delta).not.toBeNull();
    expect(Object.values(delta).every((v) => v >= 0)).toBe(true);
    // 200 units of busy work on this machine take tens of ms: some user time must show (ticks are 10 ms).
    expect(delta.user + delta.system).toBeGreaterThan(0);
  });
});
