/**
 * Per-host resources of the emulated hosts, checked against the ground truth with the real probe:
 * - a host's CPU quota and disk bandwidth are shared by its instances only: co-resident instances
 *   slow each other, an instance on another host does not slow down (issue 17, item 9);
 * - a debased host type is slower in CPU and in I/O;
 * - initialisation runs under the quota where the profile says so, at full speed where it does not
 *   (item 10);
 * - where cgroups are missing, the platform says why.
 *
 * This machine has two cores that other work loads too (a load of 15 is common), so each host gets
 * a tiny CPU quota (0.05 cores) and a small disk bandwidth (16 MB/s): even then the platform's
 * cgroup, which the kernel weighs as one task against every other runnable task of the machine,
 * gets the 0.1 cores both hosts need, and the disk is far faster than both. The expected ratios
 * (2× between co-residents, 1× across hosts) are far from the thresholds (1.5× and 1.3×).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { PlanFunction } from '../../experiments/plan-schema';
import type { GroundTruth } from '../../local/ground-truth';
import { wholeDiskOf } from '../../local/io/blkio';
import type { LocalPlatform } from '../../local/platform/local-platform';
import { instanceCommands } from '../../local/run/runtime-bundles';
import type { TaskInput } from '../../probe-runtime/contracts/task';
import { invokeHttp, invokeTask, planFunction, probeRequest, startTestPlatform, type InvokeResult, type TestPlatformOptions } from './helpers';
import { testRuntimeBundles } from './support/runtime-bundles';

const root = process.getuid?.() === 0;
const cpuCgroups = root && existsSync('/sys/fs/cgroup/cpu/cpu.cfs_quota_us');
const blkio = root && existsSync('/sys/fs/cgroup/blkio/blkio.throttle.write_bps_device') && !('reason' in wholeDiskOf(require('node:os').tmpdir()));

const platforms: LocalPlatform[] = [];
afterEach(async () => {
  await Promise.all(platforms.splice(0).map((p) => p.stop()));
});

/** A platform running the real probe bundle (the stand-in has no tasks). */
async function startWithProbe(functions: PlanFunction[], options: TestPlatformOptions): Promise<LocalPlatform> {
  const node = instanceCommands(await testRuntimeBundles()).commands.nodejs!;
  const p = await startTestPlatform(functions, { ...options, command: node });
  platforms.push(p);
  return p;
}

/** Two hosts of 256 MB: f1 and f2 (128 MB each) fill the first, f3 opens the second. */
const THREE = [planFunction('f1', { timeoutSeconds: 60 }), planFunction('f2', { timeoutSeconds: 60 }), planFunction('f3', { timeoutSeconds: 60 })];
const TWO_HOSTS = { 'placement.policy': 'binpack', 'placement.hostMemoryMb': 256 };
const HOST_OF_ONE_VCPU = { name: 'vm', weight: 1, cpuModel: 'Test CPU', cpus: 1, memTotalMb: 1024, kernel: '5.0.0' };

/** Starts f1, f2, f3 in that order and checks where they landed (ground truth). */
async function placeThree(p: LocalPlatform): Promise<GroundTruth> {
  for (const f of ['f1', 'f2', 'f3']) expect((await invokeTask(p, f)).status).toBe(200);
  const truth = p.groundTruth({ study: 't', run: 'r' });
  const host = (f: string) => truth.instances.find((i) => i.function === f)!.host;
  expect(host('f1')).toBe(host('f2'));
  expect(host('f3')).not.toBe(host('f1'));
  return truth;
}

/** The same task on several functions at once, released together by a barrier. */
async function together(p: LocalPlatform, functions: string[], task: TaskInput): Promise<Map<string, InvokeResult>> {
  const barrierAt = Date.now() + 400;
  const results = await Promise.all(functions.map((f) => invokeHttp(p, f, probeRequest(f, task, { barrierAt }))));
  return new Map(results.map((r, i) => [functions[i]!, r]));
}

const value = (r: InvokeResult, key: string) => {
  expect(r.status).toBe(200);
  const task = r.body.task as { ok: boolean; values: Record<string, number> };
  expect(task.ok).toBe(true);
  return task.values[key]!;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
/** Co-residents are compared by their mean: one may finish first and leave the other the whole host for its rest. */
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The median of three lone runs of a task on one function. */
async function lone(p: LocalPlatform, fn: string, task: TaskInput, key: string): Promise<number> {
  const out: number[] = [];
  for (let round = 0; round < 3; round++) out.push(value(await invokeTask(p, fn, task), key));
  return median(out);
}

/**
 * Lone measurements of f1 (host A) and f3 (host B), then f1, f2 (both on A) and f3 together: the
 * co-residents' mean and the other host's measurement, each over its lone value.
 */
async function togetherOverLone(p: LocalPlatform, task: TaskInput, key: string): Promise<{ coResident: number; otherHost: number; loneA: number }> {
  const loneA = await lone(p, 'f1', task, key);
  const loneB = await lone(p, 'f3', task, key);
  const both = await together(p, ['f1', 'f2', 'f3'], task);
  return {
    coResident: mean([value(both.get('f1')!, key), value(both.get('f2')!, key)]) / loneA,
    otherHost: value(both.get('f3')!, key) / loneB,
    loneA,
  };
}

describe('per-host CPU quota', () => {
  // About 50 ms of CPU on an idle core (a unit is ~0.17 ms): a second at 0.05 cores, ten quota periods.
  const CPU_WORK: TaskInput = { name: 'cpu-work', units: 300, maxMs: 30_000 };
  (cpuCgroups ? test : test.skip)('co-resident instances share their host\'s quota; an instance on another host keeps its speed', async () => {
    // No per-instance quota (as Azure): only the host's, 1 vCPU × 0.05 cores per vCPU.
    const p = await startWithProbe(THREE, {
      profile: 'azure-2018',
      cpuQuota: 'auto',
      profileSet: { ...TWO_HOSTS, hostTypes: [HOST_OF_ONE_VCPU], 'cpu.coresPerVcpu': 0.05, 'lifecycle.initDelayMs': { min: 0, max: 0 }, 'placement.tenancy': 'dedicated' },
    });
    expect(p.cpuQuota.applied).toBe(true);
    const truth = await placeThree(p);
    expect(truth.hosts.map((h) => h.cpuQuotaCores)).toEqual([0.05, 0.05]);
    const { coResident, otherHost } = await togetherOverLone(p, CPU_WORK, 'workMs');
    // Expected 2× (the host's 0.05 cores split two ways) and 1× (its own host's 0.05 cores).
    expect(coResident).toBeGreaterThan(1.5);
    expect(otherHost).toBeLessThan(1.3);
  });

  (cpuCgroups ? test : test.skip)('a debased host type runs the same work slower', async () => {
    const standard = await startWithProbe([planFunction('f', { timeoutSeconds: 60 })], {
      profile: 'azure-2018',
      cpuQuota: 'auto',
      profileSet: { hostTypes: [HOST_OF_ONE_VCPU], 'cpu.coresPerVcpu': 0.1, 'lifecycle.initDelayMs': { min: 0, max: 0 } },
    });
    const debased = await startWithProbe([planFunction('f', { timeoutSeconds: 60 })], {
      profile: 'azure-2018',
      cpuQuota: 'auto',
      profileSet: { hostTypes: [{ ...HOST_OF_ONE_VCPU, cpuFactor: 0.5, ioFactor: 0.5 }], 'cpu.coresPerVcpu': 0.1, 'lifecycle.initDelayMs': { min: 0, max: 0 } },
    });
    const ratio = (await lone(debased, 'f', CPU_WORK, 'workMs')) / (await lone(standard, 'f', CPU_WORK, 'workMs'));
    expect(debased.groundTruth({ study: 't', run: 'r' }).hosts[0]).toMatchObject({ debased: true, cpuQuotaCores: 0.05 });
    expect(ratio).toBeGreaterThan(1.5); // expected 2
  });
});

describe('per-host disk bandwidth', () => {
  const IO: TaskInput = { name: 'io', megabytes: 8, blockKb: 256, maxMs: 30_000 };
  (blkio ? test : test.skip)('co-resident instances share their host\'s disk; an instance on another host keeps its bandwidth', async () => {
    const p = await startWithProbe(THREE, {
      profile: 'aws-2018',
      ioLimit: 'auto',
      profileSet: { ...TWO_HOSTS, 'io.hostMBps': 16 },
    });
    expect(p.ioLimit).toEqual({ applied: true, reason: null });
    const truth = await placeThree(p);
    expect(truth.ioLimitApplied).toBe(true);
    expect(truth.hosts.map((h) => h.ioMBps)).toEqual([16, 16]);
    const { coResident, otherHost, loneA } = await togetherOverLone(p, IO, 'mbPerSec');
    // The throttle holds a lone writer near its host's bandwidth (the disk itself is far faster).
    expect(loneA).toBeLessThan(16 * 1.25);
    // Expected 0.5 (16 MB/s split two ways) and 1.
    expect(coResident).toBeLessThan(0.7);
    expect(otherHost).toBeGreaterThan(0.8);
  });

  (blkio ? test : test.skip)('a debased host type has a slower disk', async () => {
    const start = (ioFactor: number) =>
      startWithProbe([planFunction('f', { timeoutSeconds: 60 })], {
        profile: 'azure-2018',
        ioLimit: 'auto',
        profileSet: { hostTypes: [{ ...HOST_OF_ONE_VCPU, ioFactor }], 'io.hostMBps': 24, 'lifecycle.initDelayMs': { min: 0, max: 0 } },
      });
    const standard = await start(1);
    const debased = await start(0.5);
    const ratio = (await lone(debased, 'f', IO, 'mbPerSec')) / (await lone(standard, 'f', IO, 'mbPerSec'));
    expect(debased.groundTruth({ study: 't', run: 'r' }).hosts[0]).toMatchObject({ debased: true, ioMBps: 12 });
    expect(ratio).toBeLessThan(0.7); // expected 0.5
  });

  test('where the blkio controller is missing the platform runs without disk limits and says why', async () => {
    const p = await startWithProbe([planFunction('f')], { profile: 'aws-2018', ioLimit: 'auto', blkioParent: '/nonexistent/cgroup/blkio' });
    expect(p.ioLimit.applied).toBe(false);
    expect(p.ioLimit.reason).toMatch(/no cgroup v1 blkio controller at \/nonexistent\/cgroup\/blkio/);
    expect((await invokeTask(p, 'f', { name: 'io', megabytes: 1 })).status).toBe(200);
    const truth = p.groundTruth({ study: 't', run: 'r' });
    expect(truth.ioLimitApplied).toBe(false);
    expect(truth.machine.ioLimitReason).toBe(p.ioLimit.reason);
    expect(truth.hosts[0]!.ioMBps).toBeNull();
  });

  test('a scratch directory without a block device (tmpfs) cannot be throttled, and that is said', () => {
    if (!existsSync('/dev/shm')) return;
    const disk = wholeDiskOf('/dev/shm');
    expect('reason' in disk && disk.reason).toMatch(/without a block device/);
  });
});

describe('initialisation under the quota', () => {
  const throttling = (truth: GroundTruth) => truth.instances[0]!;

  (cpuCgroups ? test : test.skip)('gcp-2018: a 128 MB instance starts inside its cgroup and is throttled while it initialises', async () => {
    const p = await startWithProbe([planFunction('f')], { profile: 'gcp-2018', cpuQuota: 'auto' });
    expect((await invokeTask(p, 'f')).status).toBe(200);
    const instance = throttling(p.groundTruth({ study: 't', run: 'r' }));
    expect(instance.initUnderQuota).toBe(true);
    expect(instance.cpuQuotaVcpus).toBeCloseTo(0.083, 3);
    // A Node.js start needs tens of ms of CPU: more than one period's 8.3 ms at this quota.
    expect(instance.initThrottling!.throttledPeriods).toBeGreaterThan(0);
    // The wrapper exec'd the runtime: the instance's pid is node itself, in its cgroup.
    expect(readFileSync(`/proc/${instance.pid}/comm`, 'utf8').trim()).toBe('node');
  });

  (cpuCgroups ? test : test.skip)('aws-2018: initialisation runs at full speed and the quota applies once the instance is ready', async () => {
    const p = await startWithProbe([planFunction('f')], { profile: 'aws-2018', cpuQuota: 'auto' });
    expect((await invokeTask(p, 'f')).status).toBe(200);
    const instance = throttling(p.groundTruth({ study: 't', run: 'r' }));
    expect(instance.initUnderQuota).toBe(false);
    expect(instance.initThrottling!.throttledPeriods).toBe(0);
    expect(instance.cpuQuotaVcpus).toBeCloseTo(128 / 1769, 3);
  });
});
