import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { BurstShardEvent, BurstShardSummary } from '../../../probe-runtime/contracts/driver-event';
import { InvocationRecord } from '../../../probe-runtime/contracts/invocation-record';
import { shardKey } from '../../../probe-runtime/contracts/bucket-layout';
import { DriverRefusedError } from '../../../probe-runtime/driver/errors';
import { createLocalInvoker } from '../../../probe-runtime/driver/invokers/http';
import { runDriverEvent } from '../../../probe-runtime/driver/run-driver-event';
import type { StudyPlan } from '../../../experiments/plan-schema';
import { type Behaviour, type FakeProbeServer, startFakeProbeServer } from './support/fake-probe-server';
import { localDeps, RUN, tempDir } from './support/driver-fixture';
import { burstStep, testDefinition, testPlan, withBurst } from './support/plan-fixture';
import { planStudy } from '../../../experiments/plan';

function burstEvent(plan: StudyPlan, shard = 0, index = 0, extra: Partial<BurstShardEvent> = {}): BurstShardEvent {
  return { v: 1, action: 'burst', study: plan.study.id, run: RUN, planHash: plan.hash, step: burstStep(plan, index), shard, ...extra };
}

function readShard(dir: string, plan: StudyPlan, shard = 0, index = 0): InvocationRecord[] {
  const file = path.join(dir, shardKey(plan.study.id, RUN, burstStep(plan, index).id, shard));
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => InvocationRecord.parse(JSON.parse(line)));
}

let requestIndex = 0;
function probeRequestFor(target: string) {
  return { v: 1, study: 'drivertest', run: RUN, step: 0, request: requestIndex++, attempt: 1, target, task: { name: 'noop' }, barrierAt: null, sentAt: Date.now() };
}

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('driver burst shard against a loopback probe server', () => {
  let server: FakeProbeServer | undefined;
  let tmp: ReturnType<typeof tempDir>;
  const runShardRecords = async (plan: StudyPlan, probes: FakeProbeServer) => {
    await runDriverEvent(burstEvent(plan), localDeps(plan, probes.endpoint, tmp.dir));
    return { records: readShard(tmp.dir, plan) };
  };
  beforeEach(() => {
    tmp = tempDir('burst');
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    tmp.remove();
  });

  test('every request gets one ok record with timestamps, targets alternate, and the summary counts them', async () => {
    const plan = testPlan();
    server = await startFakeProbeServer();
    const summary = (await runDriverEvent(burstEvent(plan), localDeps(plan, server.endpoint, tmp.dir))) as BurstShardSummary;
    const records = readShard(tmp.dir, plan);
    expect(records.map((r) => r.request)).toEqual([...Array(10).keys()]);
    expect(records.map((r) => r.target)).toEqual(Array.from({ length: 10 }, (_, r) => burstStep(plan).targets[r % 2]));
    for (const r of records) {
      expect(r).toMatchObject({ status: 'ok', attempts: 1, error: null, transportStatus: 200, provider: 'local', stepId: '0000-burst-cold', label: 'cold', shard: 0 });
      expect(r.receivedAt!).toBeGreaterThanOrEqual(r.sentAt!);
      expect(r.latencyMs).toBeCloseTo(r.receivedAt! - r.sentAt!, 6);
      expect(r.response?.instance.id).toBe(`inst-${r.target}`);
    }
    expect(summary).toMatchObject({ action: 'burst', requests: 10, attempts: 10, counts: { ok: 10, error: 0, throttled: 0, timeout: 0, skipped: 0 } });
    expect(summary.key).toBe(shardKey('drivertest', RUN, '0000-burst-cold', 0));
    // What the probes received: the plan's task, the request's own target path, the send time echoed.
    expect(server.arrivals).toHaveLength(10);
    for (const a of server.arrivals) {
      expect(a.functionKey).toBe(a.request.target);
      expect(a.request.task).toEqual(burstStep(plan).task);
      expect(a.request.barrierAt).toBeNull();
      expect(records[a.request.request]!.sentAt).toBe(a.request.sentAt);
    }
  });

  test('errors, throttling, timeouts, invalid bodies and crashes each become exactly one record with the right status', async () => {
    const plan = withBurst(testPlan({ requestsPerTarget: 6 }), 0, { timeoutMs: 1000 });
    const fates: Record<number, Behaviour> = {
      1: { kind: 'status', status: 500, body: 'boom: internal failure' },
      2: { kind: 'status', status: 429, body: 'slow down' },
      3: { kind: 'hang' },
      4: { kind: 'body', body: JSON.stringify({ v: 1, probe: 'x' }) },
      5: { kind: 'crash' },
      6: { kind: 'status', status: 503, headers: { 'retry-after': '1' } },
      7: { kind: 'body', body: 'this is not json' },
      8: { kind: 'status', status: 503 },
    };
    server = await startFakeProbeServer((req) => fates[req.request] ?? { kind: 'ok' });
    const summary = (await runDriverEvent(burstEvent(plan), localDeps(plan, server.endpoint, tmp.dir))) as BurstShardSummary;
    const records = readShard(tmp.dir, plan);
    expect(records).toHaveLength(12);
    const byRequest = (i: number) => records[i]!;
    expect(byRequest(0).status).toBe('ok');
    expect(byRequest(1)).toMatchObject({ status: 'error', transportStatus: 500, error: 'HTTP 500: boom: internal failure' });
    expect(byRequest(2)).toMatchObject({ status: 'throttled', transportStatus: 429 });
    expect(byRequest(3)).toMatchObject({ status: 'timeout', error: 'no answer within 1000 ms', transportStatus: null });
    expect(byRequest(3).latencyMs!).toBeGreaterThanOrEqual(990);
    expect(byRequest(4).status).toBe('error');
    expect(byRequest(4).error).toMatch(/^invalid probe response: runtime: .*; raw: \{"v":1,"probe":"x"\}$/);
    expect(byRequest(5).status).toBe('error');
    expect(byRequest(5).error).toMatch(/aborted|closed|socket hang up|ECONNRESET/i);
    expect(byRequest(6)).toMatchObject({ status: 'throttled', transportStatus: 503 });
    expect(byRequest(7).error).toMatch(/^invalid probe response: not JSON .*raw: this is not json$/);
    expect(byRequest(8)).toMatchObject({ status: 'error', transportStatus: 503 });
    for (const r of records) {
      if (r.status === 'ok') expect(r.response).not.toBeNull();
      else expect(r.response).toBeNull();
      expect(r.attempts).toBe(1);
    }
    expect(summary.counts).toEqual({ ok: 4, error: 5, throttled: 2, timeout: 1, skipped: 0 });
  });

  test('retries happen only up to the step limit, attempts are recorded, and the last attempt describes the record', async () => {
    const plan = testPlan({ requestsPerTarget: 2, retries: 2 });
    const seen = new Map<number, number>();
    server = await startFakeProbeServer((req) => {
      seen.set(req.request, (seen.get(req.request) ?? 0) + 1);
      if (req.request === 0) return req.attempt < 3 ? { kind: 'status', status: req.attempt === 1 ? 429 : 500 } : { kind: 'ok' };
      if (req.request === 1) return { kind: 'status', status: 502, body: `attempt ${req.attempt}` };
      return { kind: 'ok' };
    });
    const summary = (await runDriverEvent(burstEvent(plan), localDeps(plan, server.endpoint, tmp.dir))) as BurstShardSummary;
    const records = readShard(tmp.dir, plan);
    expect(records[0]).toMatchObject({ status: 'ok', attempts: 3 });
    expect(records[1]).toMatchObject({ status: 'error', attempts: 3, error: 'HTTP 502: attempt 3' });
    expect(records[2]).toMatchObject({ status: 'ok', attempts: 1 });
    expect([...seen.entries()].sort()).toEqual([[0, 3], [1, 3], [2, 1], [3, 1]]);
    expect(server.arrivals.filter((a) => a.request.request === 0).map((a) => a.request.attempt)).toEqual([1, 2, 3]);
    expect(summary.attempts).toBe(8);
  });

  test('no retry when the step allows none: a failure is recorded as it is', async () => {
    const plan = testPlan({ requestsPerTarget: 1 });
    server = await startFakeProbeServer(() => ({ kind: 'status', status: 429 }));
    const summary = (await runDriverEvent(burstEvent(plan), localDeps(plan, server.endpoint, tmp.dir))) as BurstShardSummary;
    expect(server.arrivals).toHaveLength(2);
    expect(summary).toMatchObject({ attempts: 2, counts: { throttled: 2 } });
  });

  test('at most shardConcurrency requests are in flight', async () => {
    const plan = testPlan({ requestsPerTarget: 6, concurrency: 3 });
    expect(burstStep(plan).shardConcurrency).toBe(3);
    server = await startFakeProbeServer(() => ({ kind: 'ok', delayMs: 30 }));
    await runDriverEvent(burstEvent(plan), localDeps(plan, server.endpoint, tmp.dir));
    expect(server.arrivals).toHaveLength(12);
    expect(server.maxInFlight).toBe(3);
  });

  test('a probe server dying mid-burst: every planned request still has exactly one record', async () => {
    const plan = testPlan({ requestsPerTarget: 10, concurrency: 2 });
    let killed = false;
    server = await startFakeProbeServer((_req, i) => {
      if (i === 5 && !killed) {
        killed = true;
        setImmediate(() => server!.crash());
        return { kind: 'hang' };
      }
      return { kind: 'ok' };
    });
    const summary = (await runDriverEvent(burstEvent(plan), localDeps(plan, server.endpoint, tmp.dir))) as BurstShardSummary;
    const records = readShard(tmp.dir, plan);
    expect(records.map((r) => r.request)).toEqual([...Array(20).keys()]);
    expect(summary.counts.ok).toBe(5);
    expect(summary.counts.error).toBe(15);
    expect(records.filter((r) => r.status === 'error').every((r) => /ECONNREFUSED|ECONNRESET|socket hang up|closed/.test(r.error!))).toBe(true);
  });

  test('shards cover disjoint request ranges and a re-run shard overwrites its own file', async () => {
    const plan = testPlan({ requestsPerTarget: 60 });
    const step = burstStep(plan);
    expect([step.requests, step.shards, step.requestsPerShard]).toEqual([120, 2, 60]);
    server = await startFakeProbeServer();
    const deps = localDeps(plan, server.endpoint, tmp.dir);
    await runDriverEvent(burstEvent(plan, 1), deps);
    const first = readShard(tmp.dir, plan, 1);
    expect(first.map((r) => r.request)).toEqual(Array.from({ length: 60 }, (_, i) => 60 + i));
    expect(first.every((r) => r.shard === 1)).toBe(true);
    await runDriverEvent(burstEvent(plan, 1), deps);
    const second = readShard(tmp.dir, plan, 1);
    expect(second).toHaveLength(60);
    expect(second[0]!.sentAt).toBeGreaterThan(first[0]!.sentAt!);
    const dir = path.dirname(path.join(tmp.dir, shardKey('drivertest', RUN, step.id, 1)));
    expect(readdirSync(dir)).toEqual(['001.jsonl']);
    expect(server.arrivals).toHaveLength(120);
  });

  test('the stop signal ends sending: requests not sent are recorded as skipped, answers in flight are kept', async () => {
    const plan = testPlan({ requestsPerTarget: 5, concurrency: 2 });
    const controller = new AbortController();
    server = await startFakeProbeServer((_req, i) => {
      if (i === 3) controller.abort(new Error('test stop'));
      return { kind: 'ok', delayMs: 20 };
    });
    const summary = (await runDriverEvent(burstEvent(plan), localDeps(plan, server.endpoint, tmp.dir, { stop: controller.signal }))) as BurstShardSummary;
    const records = readShard(tmp.dir, plan);
    expect(records).toHaveLength(10);
    expect(summary.counts.ok).toBe(4);
    expect(summary.counts.skipped).toBe(6);
    const skipped = records.filter((r) => r.status === 'skipped');
    expect(skipped.map((r) => r.request)).toEqual([4, 5, 6, 7, 8, 9]);
    for (const r of skipped) {
      expect(r).toMatchObject({ attempts: 0, sentAt: null, receivedAt: null, latencyMs: null, response: null, transportStatus: null });
      expect(r.error).toContain('test stop');
    }
  });

  test('the barrier is the step start plus barrierMs, shared by every request; without a step start it is the driver start', async () => {
    const plan = testPlan({ barrierMs: 250 });
    server = await startFakeProbeServer();
    const stepStartedAt = '2026-11-26T12:00:00.000Z';
    await runDriverEvent(burstEvent(plan, 0, 0, { stepStartedAt }), localDeps(plan, server.endpoint, tmp.dir));
    expect(new Set(server.arrivals.map((a) => a.request.barrierAt))).toEqual(new Set([Date.parse(stepStartedAt) + 250]));
    server.arrivals.length = 0;
    const before = performance.timeOrigin + performance.now();
    await runDriverEvent(burstEvent(plan), localDeps(plan, server.endpoint, tmp.dir));
    const barriers = new Set(server.arrivals.map((a) => a.request.barrierAt));
    expect(barriers.size).toBe(1);
    const [barrier] = [...barriers] as number[];
    expect(barrier).toBeGreaterThanOrEqual(before + 250);
    expect(barrier).toBeLessThan(before + 250 + 1000);
  });

  test('an HTTP invoker prepares fresh connections before the sends, uses each once, and closes the unused', async () => {
    const probes = (server = await startFakeProbeServer());
    const invoker = createLocalInvoker(probes.endpoint);
    await invoker.prepare!(['f'], { freshConnections: new Map([['f', 3]]) });
    await waitFor(() => probes.openConnections() === 3);
    const send = () =>
      invoker.invoke({ functionKey: 'f', address: 'f', freshConnection: true, signal: new AbortController().signal, body: () => JSON.stringify(probeRequestFor('f')) });
    const outcomes = await Promise.all([send(), send()]);
    expect(outcomes.map((o) => o.kind)).toEqual(['answer', 'answer']);
    // Both requests went out on two of the three prepared sockets (ids 0-2): no new connection was made.
    expect(new Set(probes.arrivals.map((a) => a.socketId)).size).toBe(2);
    expect(Math.max(...probes.arrivals.map((a) => a.socketId))).toBeLessThan(3);
    invoker.release!();
    await waitFor(() => probes.openConnections() === 0);
  });

  test('a fresh-connection burst uses one connection per request and leaves none open', async () => {
    const plan = testPlan({ requestsPerTarget: 10 });
    const probes = (server = await startFakeProbeServer());
    const { records } = await runShardRecords(plan, probes);
    expect(records.every((r) => r.status === 'ok')).toBe(true);
    expect(new Set(probes.arrivals.map((a) => a.socketId)).size).toBe(20);
    expect(probes.arrivals.every((a) => a.connectionHeader === 'close')).toBe(true);
    await waitFor(() => probes.openConnections() === 0);
  });

  test('later waves connect on demand; connections prepared for a wave are all used or closed', async () => {
    const plan = testPlan({ requestsPerTarget: 3, concurrency: 2 });
    const probes = (server = await startFakeProbeServer());
    const { records } = await runShardRecords(plan, probes);
    expect(records.every((r) => r.status === 'ok')).toBe(true);
    expect(new Set(probes.arrivals.map((a) => a.socketId)).size).toBe(6);
    await waitFor(() => probes.openConnections() === 0);
  });

  test('fresh connections: one socket per request with Connection: close; otherwise keep-alive reuses sockets', async () => {
    const fresh = testPlan({ requestsPerTarget: 4, concurrency: 1 });
    server = await startFakeProbeServer();
    await runDriverEvent(burstEvent(fresh), localDeps(fresh, server.endpoint, tmp.dir));
    expect(new Set(server.arrivals.map((a) => a.socketId)).size).toBe(8);
    expect(server.arrivals.every((a) => a.connectionHeader === 'close')).toBe(true);
    server.arrivals.length = 0;
    const reuse = testPlan({ requestsPerTarget: 4, concurrency: 1, freshConnection: false });
    const deps = localDeps(reuse, server.endpoint, tmp.dir);
    await runDriverEvent(burstEvent(reuse), deps);
    deps.invoker.close?.();
    expect(new Set(server.arrivals.map((a) => a.socketId)).size).toBe(1);
    expect(server.arrivals.every((a) => a.connectionHeader === 'keep-alive')).toBe(true);
  });
});

describe('the driver refuses what its plan does not contain (the invocation cap)', () => {
  let server: FakeProbeServer;
  let tmp: ReturnType<typeof tempDir>;
  const plan = testPlan();
  beforeAll(async () => {
    server = await startFakeProbeServer();
  });
  afterAll(() => server.close());
  beforeEach(() => {
    tmp = tempDir('refuse');
  });
  afterEach(() => tmp.remove());

  const refused: [string, () => unknown, RegExp][] = [
    ['another plan hash', () => burstEvent(plan, 0, 0, { planHash: 'f'.repeat(64) }), /^planHash: the event is for plan f{64}, this driver carries plan [0-9a-f]{64}$/],
    ['another study', () => ({ ...burstEvent(plan), study: 'other' }), /^study: this driver serves study "drivertest", the event is for "other"$/],
    ['more requests than the plan step', () => burstEvent(plan, 0, 0, { step: { ...burstStep(plan), requests: 1000, requestsPerShard: 1000 } }), /^step\.requests: differs from step 0 of the plan/],
    ['more retries than the plan step', () => burstEvent(plan, 0, 0, { step: { ...burstStep(plan), retries: 3 } }), /^step\.retries: differs from step 0/],
    ['another task', () => burstEvent(plan, 0, 0, { step: { ...burstStep(plan), task: { name: 'sleep', ms: 10 } } }), /^step\.task\.(ms|name): differs/],
    ['a step index with a wait step', () => burstEvent(plan, 0, 0, { step: { ...burstStep(plan), index: 1 } }), /^step\.index: step 1 of the plan is a wait step, not a burst$/],
    ['a step index past the plan', () => burstEvent(plan, 0, 0, { step: { ...burstStep(plan), index: 99 } }), /^step\.index: the plan has no step 99 \(it has 3\)$/],
    ['a shard out of range', () => burstEvent(plan, 1), /^shard: step 0 has 1 shard\(s\) \(0\.\.0\); shard 1 is out of range$/],
    ['a run id that would escape its prefix', () => ({ ...burstEvent(plan), run: '../x' }), /^run: "\.\.\/x" is not a valid run id/],
    ['a malformed event, naming the path', () => ({ ...burstEvent(plan), shard: -1 }), /^invalid driver event: shard: .*>=0/],
    ['an unknown action', () => ({ ...burstEvent(plan), action: 'explode' }), /^invalid driver event: action: /],
  ];
  test.each(refused)('refuses %s before sending or writing anything', async (_what, event, message) => {
    const before = server.arrivals.length;
    const error = await runDriverEvent(event(), localDeps(plan, server.endpoint, tmp.dir)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DriverRefusedError);
    expect((error as Error).message).toMatch(message);
    expect(server.arrivals.length).toBe(before);
    expect(readdirSync(tmp.dir)).toEqual([]);
  });

  test('refuses every event when the deployed plan is over budget', async () => {
    const over = planStudyOverBudget();
    const error = await runDriverEvent({ v: 1, action: 'start-run', study: over.study.id, run: RUN, planHash: over.hash }, localDeps(over, server.endpoint, tmp.dir)).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^the deployed plan is over its budget \(the schedule may make 10 attempts/);
  });
});

function planStudyOverBudget(): StudyPlan {
  return planStudy(testDefinition([{ kind: 'burst', requestsPerTarget: 5 }]), { provider: 'local', budget: { maxInvocations: 2 } });
}
