/**
 * The driver honours the burst shapes of study language v2, against a loopback probe server:
 * payload padding both ways (sizes recorded, padding not stored), a per-function in-flight limit,
 * and open-loop send offsets (each request leaves at the step's start + its planned offset).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { StudyPlan } from '../../../experiments/plan-schema';
import { shardKey } from '../../../probe-runtime/contracts/bucket-layout';
import type { BurstShardEvent } from '../../../probe-runtime/contracts/driver-event';
import { InvocationRecord } from '../../../probe-runtime/contracts/invocation-record';
import { runDriverEvent } from '../../../probe-runtime/driver/run-driver-event';
import { localDeps, RUN, tempDir } from './support/driver-fixture';
import { type FakeProbeServer, startFakeProbeServer } from './support/fake-probe-server';
import { burstStep, testPlan } from './support/plan-fixture';
import { fakeProbeResponse } from './support/probe-fixture';

function burstEvent(plan: StudyPlan, extra: Partial<BurstShardEvent> = {}): BurstShardEvent {
  return { v: 1, action: 'burst', study: plan.study.id, run: RUN, planHash: plan.hash, step: burstStep(plan, 0), shard: 0, ...extra };
}

function shardLines(dir: string, plan: StudyPlan): string[] {
  return readFileSync(path.join(dir, shardKey(plan.study.id, RUN, burstStep(plan, 0).id, 0)), 'utf8').split('\n').filter(Boolean);
}

describe('driver: burst shapes', () => {
  let server: FakeProbeServer | undefined;
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir('shapes');
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    tmp.remove();
  });

  test('payload sizes: requests padded to requestBytes, responses padded by the probe, both sizes recorded, the padding not stored', async () => {
    const plan = testPlan({ requestsPerTarget: 2, requestBytes: 20_000, responseBytes: 30_000 });
    // The fake probe answers with the padding the request asked for, as the real probes do.
    server = await startFakeProbeServer((request) => ({
      kind: 'body',
      body: JSON.stringify({ ...fakeProbeResponse(request), payload: 'x'.repeat(request.responseBytes ?? 0) }),
    }));
    await runDriverEvent(burstEvent(plan), localDeps(plan, server.endpoint, tmp.dir));
    expect(server.arrivals).toHaveLength(4);
    for (const a of server.arrivals) {
      expect(a.request.payload).toHaveLength(20_000);
      expect(a.request.responseBytes).toBe(30_000);
    }
    const lines = shardLines(tmp.dir, plan);
    for (const line of lines) {
      const record = InvocationRecord.parse(JSON.parse(line));
      expect(record.status).toBe('ok');
      expect(record.response!.payload).toBeUndefined();
      expect(record.bodyBytes!.request).toBeGreaterThan(20_000);
      expect(record.bodyBytes!.request).toBeLessThan(21_000);
      expect(record.bodyBytes!.response).toBeGreaterThan(30_000);
      expect(line.length).toBeLessThan(5_000);
    }
  });

  test('a burst without payload settings records no sizes and sends no padding', async () => {
    const plan = testPlan({ requestsPerTarget: 1 });
    server = await startFakeProbeServer();
    await runDriverEvent(burstEvent(plan), localDeps(plan, server.endpoint, tmp.dir));
    for (const a of server.arrivals) expect(a.request.payload).toBeUndefined();
    for (const line of shardLines(tmp.dir, plan)) expect(InvocationRecord.parse(JSON.parse(line)).bodyBytes).toBeUndefined();
  });

  test('concurrencyPerTarget caps the requests in flight per function while the burst cap allows more', async () => {
    const plan = testPlan({ requestsPerTarget: 6, concurrencyPerTarget: 2 });
    expect(burstStep(plan).shardTargetConcurrency).toBe(2);
    expect(burstStep(plan).shardConcurrency).toBe(12);
    const inFlight = new Map<string, number>();
    const peak = new Map<string, number>();
    let total = 0;
    let totalPeak = 0;
    server = await startFakeProbeServer((request) => {
      inFlight.set(request.target, (inFlight.get(request.target) ?? 0) + 1);
      peak.set(request.target, Math.max(peak.get(request.target) ?? 0, inFlight.get(request.target)!));
      total += 1;
      totalPeak = Math.max(totalPeak, total);
      setTimeout(() => {
        inFlight.set(request.target, inFlight.get(request.target)! - 1);
        total -= 1;
      }, 150);
      return { kind: 'ok', delayMs: 150 };
    });
    await runDriverEvent(burstEvent(plan), localDeps(plan, server.endpoint, tmp.dir));
    expect(server.arrivals).toHaveLength(12);
    expect([...peak.values()]).toEqual([2, 2]);
    expect(totalPeak).toBe(4);
  });

  test('open-loop offsets: each request leaves at the step start + its offset, with scheduledAt recorded', async () => {
    const plan = testPlan({ requestsPerTarget: 1, arrival: { kind: 'fixed-rate', perSecond: 10, durationSeconds: 1 } });
    const step = burstStep(plan, 0);
    expect(step.sendOffsetsMs).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
    server = await startFakeProbeServer();
    const startedAt = Date.now() + 200;
    const event = { ...burstEvent(plan), step, stepStartedAt: new Date(startedAt).toISOString() };
    await runDriverEvent(event, localDeps(plan, server.endpoint, tmp.dir));
    const records = readFileSync(path.join(tmp.dir, shardKey(plan.study.id, RUN, step.id, 0)), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => InvocationRecord.parse(JSON.parse(l)));
    expect(records).toHaveLength(10);
    records.forEach((r, i) => {
      expect(r.scheduledAt).toBe(startedAt + step.sendOffsetsMs![i]!);
      // Never early; late only by the machine's scheduling (a loaded 2-core machine: generous bound).
      expect(r.sentAt!).toBeGreaterThanOrEqual(r.scheduledAt! - 1);
      expect(r.sentAt! - r.scheduledAt!).toBeLessThan(150);
    });
  });

  test('a stop while sends are still scheduled records the unsent requests as skipped', async () => {
    const plan = testPlan({ requestsPerTarget: 1, arrival: { kind: 'fixed-rate', perSecond: 5, durationSeconds: 2 } });
    const step = burstStep(plan, 0);
    server = await startFakeProbeServer();
    const stop = new AbortController();
    setTimeout(() => stop.abort('test stop'), 500);
    const event = { ...burstEvent(plan), step, stepStartedAt: new Date().toISOString() };
    const began = Date.now();
    await runDriverEvent(event, localDeps(plan, server.endpoint, tmp.dir, { stop: stop.signal }));
    expect(Date.now() - began).toBeLessThan(1500);
    const records = readFileSync(path.join(tmp.dir, shardKey(plan.study.id, RUN, step.id, 0)), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => InvocationRecord.parse(JSON.parse(l)));
    expect(records).toHaveLength(10);
    const skipped = records.filter((r) => r.status === 'skipped');
    expect(skipped.length).toBeGreaterThanOrEqual(5);
    expect(records.filter((r) => r.status === 'ok').length).toBe(10 - skipped.length);
    for (const r of skipped) expect(r.scheduledAt).toBeDefined();
  });
});
