import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BackgroundReport } from '../../../probe-runtime/contracts/probe-wire';
import type { Task } from '../../../probe-runtime/contracts/task';
import { nowMs } from '../../../probe-runtime/probe/clock';
import { createBackgroundWorker } from '../../../probe-runtime/probe/tasks/background';
import { delay, waitForBarrier } from '../../../probe-runtime/probe/tasks/barrier';
import { UNIT_ROUNDS } from '../../../probe-runtime/probe/tasks/cpu-kernel';
import { runTask, type TaskContext } from '../../../probe-runtime/probe/tasks/run-task';
import { MIB } from '../../../probe-runtime/probe/tasks/task-result';
import { REPO, startLoopbackServer, startNetTestServer, tempDir, until, type NetTestServer } from './helpers';

const tmp = tempDir();
const context = (): TaskContext => ({ tmpDir: tmp.dir, background: createBackgroundWorker(), invocation: 1, barrierAt: null, request: 0 });
const run = (task: Task, ctx = context()) => runTask(task, ctx);
afterAll(() => tmp.cleanup());

/** The work kernel written independently with BigInt: n chained units of 32-bit xorshift from 1. */
function referenceChecksum(units: number): number {
  const mask = 0xffffffffn;
  let x = 1n;
  for (let u = 0; u < units; u++) {
    for (let i = 0; i < UNIT_ROUNDS; i++) {
      x ^= (x << 13n) & mask;
      x ^= x >> 17n;
      x ^= (x << 5n) & mask;
    }
  }
  return Number(x);
}

describe('barrier', () => {
  test('no barrier: null', async () => {
    expect(await waitForBarrier(null)).toBeNull();
  });

  test('releases at, never before, the barrier time', async () => {
    const barrierAt = nowMs() + 80;
    const released = (await waitForBarrier(barrierAt))!;
    expect(released).toBeGreaterThanOrEqual(barrierAt);
    expect(released - barrierAt).toBeLessThan(500); // precision is the driver benchmark's business
  });

  test('a past barrier releases at once', async () => {
    const before = nowMs();
    const released = (await waitForBarrier(before - 1000))!;
    expect(released - before).toBeLessThan(500);
  });

  test('a barrier far in the future is capped by the maximum wait', async () => {
    const start = nowMs();
    const released = (await waitForBarrier(start + 3_600_000, 60))!;
    expect(released - start).toBeGreaterThanOrEqual(60);
    expect(released - start).toBeLessThan(1000);
  });
});

describe('noop and sleep', () => {
  test('noop has no values', async () => {
    expect(await run({ name: 'noop' })).toEqual({ name: 'noop', ok: true, error: null, values: {} });
  });

  test('sleep sleeps at least as long as asked', async () => {
    const result = await run({ name: 'sleep', ms: 30 });
    expect(result.ok).toBe(true);
    expect(result.values.requestedMs).toBe(30);
    expect(result.values.sleptMs as number).toBeGreaterThanOrEqual(29.9);
    expect(result.values.oversleepMs as number).toBeCloseTo((result.values.sleptMs as number) - 30, 2);
  });
});

/**
 * Runs a TypeScript child that prints `start` when its work begins and its result on the next
 * line; stops it (SIGSTOP) `afterMs` after the start for `forMs`, then lets it finish.
 * Returns the child's whole output.
 */
async function runChildStoppedMidway(script: string, afterMs: number, forMs: number): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  const started = new Promise<void>((resolve) =>
    child.stdout.on('data', (data: Buffer) => {
      output += data.toString();
      if (output.startsWith('start\n')) resolve();
    }),
  );
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  await started;
  await delay(afterMs);
  child.kill('SIGSTOP');
  await delay(forMs);
  child.kill('SIGCONT');
  expect(await exited).toBe(0);
  return output;
}

/** Nanoseconds the main thread spent on a CPU (first field of its schedstat), in ms. */
function mainThreadCpuMs(): number {
  return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
}

describe('cpu-share', () => {
  test('runs for its duration; its share is the CPU time the process really got, consistent with its gaps', async () => {
    // CPU time of the main thread alone (the loop's thread): process.cpuUsage() would also count
    // V8's helper threads (concurrent GC), which keep running while a loaded machine deschedules the loop.
    const before = mainThreadCpuMs();
    const result = await run({ name: 'cpu-share', durationMs: 300, gapThresholdUs: 200 });
    const cpuMs = mainThreadCpuMs() - before;
    const v = result.values as Record<string, number>;
    expect(result.ok).toBe(true);
    expect(v.wallMs).toBeGreaterThanOrEqual(300);
    expect(v.wallMs).toBeLessThan(1500);
    expect(v.share).toBeGreaterThan(0);
    expect(v.share).toBeLessThanOrEqual(1);
    // On an idle machine both are near 1; on a loaded one both drop, together.
    expect(Math.abs(v.share - cpuMs / v.wallMs)).toBeLessThan(0.15);
    expect(v.share).toBeCloseTo((v.wallMs - v.descheduledMs) / v.wallMs, 3);
    expect(v.longestGapMs).toBeLessThanOrEqual(v.descheduledMs);
    expect(v.gaps === 0).toBe(v.descheduledMs === 0);
    expect(v.iterations).toBeGreaterThan(1000);
  });

  test('a process stopped mid-loop sees the stop as one long gap and a lower share', async () => {
    const script = path.join(tmp.dir, 'cpu-share-child.ts');
    writeFileSync(
      script,
      `import { runCpuShare } from ${JSON.stringify(path.join(REPO, 'probe-runtime/probe/tasks/cpu-share'))};
process.stdout.write('start\\n');
process.stdout.write(JSON.stringify(runCpuShare({ name: 'cpu-share', durationMs: 900, gapThresholdUs: 200 }).values) + '\\n');`,
    );
    const output = await runChildStoppedMidway(script, 150, 250);
    const values = JSON.parse(output.split('\n')[1]!) as Record<string, number>;
    expect(values.longestGapMs).toBeGreaterThanOrEqual(200);
    expect(values.descheduledMs).toBeGreaterThanOrEqual(200);
    expect(values.share).toBeLessThan(0.8);
  });
});

describe('cpu-work', () => {
  test('does the units asked, with the reference checksum', async () => {
    const result = await run({ name: 'cpu-work', units: 25, maxMs: 30_000 });
    expect(result.values).toMatchObject({ units: 25, unitsDone: 25, completed: true, checksum: referenceChecksum(25) });
    expect(result.values.workMs as number).toBeGreaterThan(0);
    expect(result.values.msPerUnit as number).toBeCloseTo((result.values.workMs as number) / 25, 2);
  });

  test('stops at maxMs and says so', async () => {
    const result = await run({ name: 'cpu-work', units: 100_000, maxMs: 40 });
    expect(result.ok).toBe(true);
    expect(result.values.completed).toBe(false);
    expect(result.values.unitsDone as number).toBeLessThan(100_000);
    expect(result.values.workMs as number).toBeGreaterThanOrEqual(40);
    expect(result.values.workMs as number).toBeLessThan(1000);
  });
});

describe('io', () => {
  test('writes, fsyncs and removes the file; MB/s > 0', async () => {
    const result = await run({ name: 'io', megabytes: 4, blockKb: 256, maxMs: 60_000 });
    expect(result).toMatchObject({ ok: true, values: { megabytes: 4, blockKb: 256, bytesWritten: 4 * MIB, completed: true } });
    expect(result.values.mbPerSec as number).toBeGreaterThan(0);
    expect(result.values.totalMs as number).toBeCloseTo((result.values.writeMs as number) + (result.values.fsyncMs as number), 2);
    expect(readdirSync(tmp.dir).filter((f) => f.startsWith('curtain-io-'))).toEqual([]);
  });

  test('stops writing at maxMs', async () => {
    const result = await run({ name: 'io', megabytes: 1024, blockKb: 64, maxMs: 20 });
    expect(result.ok).toBe(true);
    expect(result.values.completed).toBe(false);
    expect(result.values.bytesWritten as number).toBeLessThan(1024 * MIB);
    expect(result.values.writeMs as number).toBeLessThan(1500);
    expect(readdirSync(tmp.dir).filter((f) => f.startsWith('curtain-io-'))).toEqual([]);
  });

  test('an unwritable tmp dir is a failed task', async () => {
    const result = await runTask({ name: 'io', megabytes: 1, blockKb: 64, maxMs: 1000 }, { ...context(), tmpDir: '/nonexistent/dir' });
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/^io: .*ENOENT/);
  });
});

describe('memory', () => {
  test('allocates and touches every page of N MB', async () => {
    const result = await run({ name: 'memory', megabytes: 64 });
    expect(result).toMatchObject({ ok: true, values: { megabytes: 64, touchedMb: 64, completed: true } });
    expect(result.values.mbPerSec as number).toBeGreaterThan(0);
  });
});

describe('net', () => {
  let server: NetTestServer;
  beforeAll(async () => {
    server = await startNetTestServer(201);
  });
  afterAll(() => server.close());

  test('download: bytes, throughput and first byte', async () => {
    const result = await run({ name: 'net', direction: 'download', megabytes: 4, url: `${server.url}/data?mb=4`, maxMs: 10_000 });
    expect(result).toMatchObject({ ok: true, values: { direction: 'download', bytes: 4 * MIB, status: 200, completed: true } });
    expect(result.values.mbitPerSec as number).toBeGreaterThan(0);
    expect(result.values.mbitPerSec as number).toBeCloseTo((4 * MIB * 8) / 1e6 / ((result.values.ms as number) / 1000), 0);
    expect(result.values.firstByteMs as number).toBeLessThanOrEqual(result.values.ms as number);
  });

  test('download stops after the size asked for', async () => {
    const result = await run({ name: 'net', direction: 'download', megabytes: 2, url: `${server.url}/data?mb=64`, maxMs: 10_000 });
    expect(result.values.completed).toBe(true);
    expect(result.values.bytes as number).toBeGreaterThanOrEqual(2 * MIB);
    expect(result.values.bytes as number).toBeLessThan(64 * MIB);
  });

  test('upload: the server receives exactly N MB', async () => {
    const result = await run({ name: 'net', direction: 'upload', megabytes: 3, url: `${server.url}/up`, maxMs: 10_000 });
    expect(result).toMatchObject({ ok: true, values: { direction: 'upload', bytes: 3 * MIB, status: 201, completed: true } });
    expect(server.uploaded()).toBe(3 * MIB);
    expect(result.values.mbitPerSec as number).toBeGreaterThan(0);
  });

  test('a missing url is an error result, not a crash', async () => {
    expect(await run({ name: 'net', direction: 'download', megabytes: 1, maxMs: 1000 })).toMatchObject({
      ok: false,
      error: expect.stringContaining('no url'),
    });
  });

  test('HTTP errors, refused connections and bad protocols are error results', async () => {
    expect(await run({ name: 'net', direction: 'download', megabytes: 1, url: `${server.url}/missing`, maxMs: 5000 })).toMatchObject({
      ok: false,
      error: 'net: HTTP 404',
      values: { status: 404 },
    });
    const closed = await startLoopbackServer(() => undefined);
    await closed.close();
    expect((await run({ name: 'net', direction: 'download', megabytes: 1, url: closed.url, maxMs: 5000 })).error).toMatch(/ECONNREFUSED/);
    expect((await run({ name: 'net', direction: 'download', megabytes: 1, url: 'ftp://127.0.0.1/x', maxMs: 5000 })).error).toMatch(/unsupported protocol/);
  });

  test('maxMs cuts a stalled transfer: partial result, or an error when nothing arrived', async () => {
    // 600 ms: long enough for the one block to arrive even on a loaded machine.
    const partial = await run({ name: 'net', direction: 'download', megabytes: 8, url: `${server.url}/trickle`, maxMs: 600 });
    expect(partial).toMatchObject({ ok: true, values: { completed: false, bytes: server.blockBytes } });
    expect(partial.values.ms as number).toBeGreaterThanOrEqual(600);
    expect(partial.values.ms as number).toBeLessThan(2500);
    const none = await run({ name: 'net', direction: 'download', megabytes: 1, url: `${server.url}/hang`, maxMs: 100 });
    expect(none).toMatchObject({ ok: false, error: 'net: nothing transferred within 100 ms' });
  });
});

describe('background', () => {
  test('keeps working after the task returned, within its duration; a new start replaces it', async () => {
    const worker = createBackgroundWorker();
    expect(worker.report()).toBeNull();
    const started = worker.start({ name: 'background', durationMs: 120 }, 3);
    expect(started).toMatchObject({ ok: true, values: { durationMs: 120 } });
    expect(worker.report()).toMatchObject({ startedInvocation: 3, unitsDone: 0, lastProgressAt: null, running: true });
    await delay(40);
    const midway = worker.report()!;
    expect(midway.unitsDone).toBeGreaterThan(0);
    const done = await until(() => !worker.report()!.running, () => worker.report()!);
    expect(done.unitsDone).toBeGreaterThanOrEqual(midway.unitsDone);
    // It progressed after the midway look; it may stop short of 120 ms when the loop
    // was busy past the deadline (no chunk runs after it), never long after it.
    expect(done.lastProgressAt!).toBeGreaterThanOrEqual(midway.lastProgressAt!);
    expect(done.workMs).toBeGreaterThan(0);
    expect(done.workMs).toBeLessThanOrEqual(done.lastProgressAt! - done.startedAt + 1);
    await delay(30);
    expect(worker.report()!.unitsDone).toBe(done.unitsDone); // nothing after the duration

    worker.start({ name: 'background', durationMs: 60_000 }, 4);
    expect(worker.report()).toMatchObject({ startedInvocation: 4, unitsDone: 0 });
    worker.stop();
    await delay(20);
    const stopped = worker.report()!;
    expect(stopped.running).toBe(false);
    await delay(20);
    expect(worker.report()!.unitsDone).toBe(stopped.unitsDone);
  });

  test('time the process spends frozen (SIGSTOP) is not counted as work', async () => {
    const script = path.join(tmp.dir, 'background-child.ts');
    writeFileSync(
      script,
      `import { createBackgroundWorker } from ${JSON.stringify(path.join(REPO, 'probe-runtime/probe/tasks/background'))};
const worker = createBackgroundWorker();
worker.start({ name: 'background', durationMs: 900 }, 1);
process.stdout.write('start\\n');
const poll = setInterval(() => {
  const r = worker.report()!;
  if (!r.running) { clearInterval(poll); process.stdout.write(JSON.stringify(r) + '\\n'); }
}, 20);`,
    );
    const output = await runChildStoppedMidway(script, 150, 400);
    const report = JSON.parse(output.split('\n')[1]!) as BackgroundReport;
    const wall = report.lastProgressAt! - report.startedAt;
    expect(wall).toBeGreaterThanOrEqual(850);
    // The 400 ms freeze (and any other stall) is excluded from the work done.
    expect(report.workMs).toBeLessThan(wall - 350);
    expect(report.workMs).toBeGreaterThan(0);
    // The freeze is the latest pause (unless this machine stalled the child 100 ms or more after it):
    // when it began and ended, and the work done before it.
    const pause = report.lastPause!;
    expect(pause.resumedAt - pause.at).toBeGreaterThanOrEqual(100);
    expect(pause.at).toBeGreaterThanOrEqual(report.startedAt);
    expect(pause.workMsBefore).toBeLessThanOrEqual(report.workMs);
    if (pause.resumedAt - pause.at >= 350) expect(pause.workMsBefore).toBeLessThan(pause.at - report.startedAt + 1);
  });

  test('the event loop keeps serving while background work runs', async () => {
    const worker = createBackgroundWorker();
    worker.start({ name: 'background', durationMs: 500 }, 1);
    const lags: number[] = [];
    for (let i = 0; i < 10; i++) {
      const at = nowMs();
      await new Promise((resolve) => setImmediate(resolve));
      lags.push(nowMs() - at);
    }
    worker.stop();
    // Chunks are ~5 ms; a blocked loop would wait for the whole 500 ms of work.
    expect(Math.max(...lags)).toBeLessThan(250);
  });
});

test('an unexpected exception inside a task is a failed result', async () => {
  const result = await run({ name: 'net', direction: 'download', megabytes: 1, url: 'http://[::1', maxMs: 100 });
  expect(result).toMatchObject({ name: 'net', ok: false, error: expect.stringMatching(/^net: .*Invalid URL/) });
});

describe('covert-channel', () => {
  test('needs a barrier: frames of different instances must line up', async () => {
    const result = await run({ name: 'covert-channel', frames: 2, bits: 4, bitMs: 10, seed: 1 });
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/needs a barrier/);
  });

  test('sends in its own frame, listens in the others, and reports one decoded frame each', async () => {
    const barrierAt = nowMs() + 20;
    const result = await run({ name: 'covert-channel', frames: 3, bits: 4, bitMs: 20, seed: 1 }, { ...context(), barrierAt, request: 1 });
    expect(result.ok).toBe(true);
    const v = result.values;
    expect(v).toMatchObject({ frames: 3, framesRun: 3, bits: 4, ownFrame: 1 });
    const frames = String(v.decoded).split('.');
    expect(frames).toHaveLength(3);
    expect(frames[1]).toBe('----');
    // A receiver's decode is balanced whatever it heard.
    for (const f of [frames[0]!, frames[2]!]) expect([...f].filter((c) => c === '1')).toHaveLength(2);
    expect(Number(v.sentBytes)).toBeGreaterThan(0);
    expect(Number(v.probes)).toBeGreaterThan(0);
    expect(readdirSync(tmp.dir).filter((f) => f.startsWith('curtain-covert'))).toEqual([]);
  });

  test('frames that would end past the task ceiling are not run', async () => {
    // 64 frames of 64 bits of 1 s would take 68 min; only what fits in 120 s is run (one frame of 64 s).
    const result = await run({ name: 'covert-channel', frames: 64, bits: 64, bitMs: 1000, seed: 1 }, { ...context(), barrierAt: nowMs() - 200_000, request: 0 });
    expect(result.values).toMatchObject({ framesRun: 1, decoded: '-'.repeat(64) });
  });
});

