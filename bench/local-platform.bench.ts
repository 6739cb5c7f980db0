/**
 * `npm run bench local-platform`: the embedded local platform's quality bars.
 *
 * 1. Local cold start of the probe ≤ 1.3× a bare `node` start: after a configuration refresh, a
 *    request over a fresh connection makes the platform start an instance (placement on a new
 *    emulated host, its proc tree, its CPU cgroup, the probe-local process up to its `ready` line);
 *    that start (platform start → ready, from the ground truth) against a bare `node` process
 *    printing one line, alternating in the same run; medians and the ratio. The whole cold
 *    invocation (plus HTTP, the first request's fingerprint and answer) is printed beside it.
 * 2. A 200-instance placement burst on this machine: 200 concurrent cold requests to 40 functions of
 *    random memory sizes (aws-2018: bin-packed 3,328 MB hosts) behind a 10 s barrier, as the placement
 *    study sends them; its wall time, against starting 200 bare `node` processes at once in the same run.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { ensureRuntimeBuilt } from '../probe-runtime/build/ensure-runtime-built';
import { REPO_ROOT } from '../probe-runtime/build/build-runtime';
import type { PlanFunction } from '../experiments/plan-schema';
import { FaultOptions } from '../local/faults';
import { LocalPlatform } from '../local/platform/local-platform';
import { resolveProfile } from '../local/profiles';
import { instanceCommands } from '../local/run/runtime-bundles';
import { bundleSet } from '../probe-runtime/build/bundle-set';
import { median } from '../local/run/run-summary';
import { TimeScale } from '../local/time-scale';

const COLD_START_TARGET_RATIO = 1.3;
const BURST_INSTANCES = 200;

function fn(key: string, memoryMb: number): PlanFunction {
  return {
    key,
    name: `bench-${key}`,
    memoryMb,
    requestedMemoryMb: [memoryMb],
    vcpu: null,
    runtime: 'nodejs',
    runtimeVersion: 'node',
    architecture: 'x86_64',
    tenant: 'a',
    copy: 0,
    timeoutSeconds: 60,
    env: { CURTAIN_STUDY: 'bench', CURTAIN_FUNCTION: key, CURTAIN_TENANT: 'a', CURTAIN_GENERATION: 'g0' },
  };
}

let requestSeq = 0;
async function invoke(endpoint: string, target: string, barrierAt: number | null = null): Promise<{ status: number; body: { instance?: { cold: boolean } } }> {
  requestSeq += 1;
  const res = await fetch(`${endpoint}/invoke/${target}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', connection: 'close' },
    body: JSON.stringify({ v: 1, study: 'bench', run: 'bench', step: 0, request: requestSeq, attempt: 1, target, task: { name: 'noop' }, barrierAt, sentAt: Date.now() }),
  });
  return { status: res.status, body: (await res.json()) as { instance?: { cold: boolean } } };
}

/** Spawn → first stdout bytes of a bare node process. */
function bareNodeStart(): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, ['-e', "process.stdout.write('ready\\n'); setTimeout(() => {}, 30000)"], { env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'inherit'] });
    child.on('error', reject);
    child.stdout.once('data', () => {
      const ms = performance.now() - start;
      child.once('exit', () => resolve(ms));
      child.kill('SIGKILL');
    });
  });
}

async function startPlatform(profile: string, functions: PlanFunction[]): Promise<LocalPlatform> {
  const manifest = await ensureRuntimeBuilt();
  return LocalPlatform.start({
    profile: resolveProfile(profile),
    timeScale: new TimeScale(1),
    faults: FaultOptions.parse({}),
    functions,
    runtimes: instanceCommands(bundleSet(REPO_ROOT, manifest)).commands,
    workDir: mkdtempSync(path.join(tmpdir(), 'curtain-bench-')),
    seed: 1,
  });
}

async function coldStartBench(): Promise<boolean> {
  const runs = 20;
  // 1,769 MB: one vCPU, the quota of a whole core, so the comparison is with an unthrottled bare node.
  const platform = await startPlatform('modern', [fn('f', 1769)]);
  const cold: number[] = [];
  const bare: number[] = [];
  const warm: number[] = [];
  try {
    for (let i = 0; i <= runs; i++) {
      platform.update('f', { kind: 'refresh' }, `g${i + 1}`);
      // Let the replaced instance's teardown finish: a cold start, not a cold start racing a teardown.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const t0 = performance.now();
      const r = await invoke(platform.endpoint, 'f');
      const ms = performance.now() - t0;
      if (r.status !== 200 || r.body.instance?.cold !== true) throw new Error(`cold invocation ${i} answered ${r.status}`);
      const w0 = performance.now();
      await invoke(platform.endpoint, 'f');
      const warmMs = performance.now() - w0;
      const bareMs = await bareNodeStart();
      if (i === 0) continue; // warm-up of this process's HTTP client and the page cache
      cold.push(ms);
      warm.push(warmMs);
      bare.push(bareMs);
    }
    const truth = platform.groundTruth({ study: 'bench', run: 'bench' });
    const startToReady = truth.instances.slice(1).map((i) => i.readyAt! - i.startedAt);
    const startRatio = median(startToReady)! / median(bare)!;
    const ratio = median(cold)! / median(bare)!;
    console.log(`\n1. cold start through the platform vs a bare node start (${runs} alternating runs, medians; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores)`);
    console.log(`   bare node, spawn → first line                                   ${median(bare)!.toFixed(1)} ms`);
    console.log(`   instance start: placement, host tree, cgroup (quota ${platform.cpuQuota.applied ? 'applied' : 'not applied'}), spawn → ready  ${median(startToReady)!.toFixed(1)} ms   ratio ${startRatio.toFixed(2)}× (target ≤ ${COLD_START_TARGET_RATIO}×): ${startRatio <= COLD_START_TARGET_RATIO ? 'ok' : 'OVER TARGET'}`);
    console.log(`   cold invocation end to end (+ HTTP, the first request's fingerprint and answer)  ${median(cold)!.toFixed(1)} ms   ratio ${ratio.toFixed(2)}×`);
    console.log(`   warm invocation end to end, for reference                      ${median(warm)!.toFixed(1)} ms`);
    return startRatio <= COLD_START_TARGET_RATIO;
  } finally {
    await platform.stop();
  }
}

async function placementBurstBench(): Promise<boolean> {
  // 40 functions of distinct sizes from 128-3,008 MB in 64 MB steps (as the placement study draws them), 5 instances each.
  const sizes = Array.from({ length: 40 }, (_, i) => 128 + ((i * 7) % 46) * 64);
  const functions = sizes.map((m, i) => fn(`p${i}`, m));
  const platform = await startPlatform('aws-2018', functions);
  try {
    const barrierMs = 10_000;
    const t0 = performance.now();
    const barrierAt = Date.now() + barrierMs;
    const results = await Promise.all(Array.from({ length: BURST_INSTANCES }, (_, r) => invoke(platform.endpoint, functions[r % functions.length]!.key, barrierAt)));
    const wallMs = performance.now() - t0;
    const ok = results.filter((r) => r.status === 200).length;
    const truth = platform.groundTruth({ study: 'bench', run: 'bench' });
    const ready = truth.instances.map((i) => i.readyAt! - t0 - performance.timeOrigin);
    const lastReadyMs = Math.max(...truth.instances.map((i) => i.readyAt!)) - (performance.timeOrigin + t0);
    const peaks = truth.hosts.map((h) => h.peakMemoryMb);

    const b0 = performance.now();
    await Promise.all(Array.from({ length: BURST_INSTANCES }, () => bareNodeStart()));
    const bareMs = performance.now() - b0;

    console.log(`\n2. a ${BURST_INSTANCES}-instance placement burst (aws-2018, ${functions.length} functions, 10 s barrier; load average ${loadavg()[0]!.toFixed(1)})`);
    console.log(`   ${ok}/${BURST_INSTANCES} answered ok by ${truth.instances.length} instances on ${truth.hosts.length} hosts (aggregate memory per host ${Math.min(...peaks)}–${Math.max(...peaks)} MB of 3,328)`);
    console.log(`   all ${truth.instances.length} instances ready ${(lastReadyMs / 1000).toFixed(1)} s after the burst began (median ${(median(ready)! / 1000).toFixed(1)} s)`);
    console.log(`   burst wall time ${(wallMs / 1000).toFixed(1)} s (the barrier alone is ${barrierMs / 1000} s)`);
    console.log(`   baseline: ${BURST_INSTANCES} bare node processes started at once: ${(bareMs / 1000).toFixed(1)} s; instance start-up ratio ${(lastReadyMs / bareMs).toFixed(2)}×`);
    return ok === BURST_INSTANCES && truth.instances.length === BURST_INSTANCES && Math.max(...peaks) <= 3328;
  } finally {
    await platform.stop();
  }
}

async function main(): Promise<void> {
  const coldOk = await coldStartBench();
  const burstOk = await placementBurstBench();
  process.exitCode = coldOk && burstOk ? 0 : 1;
}

void main();
