/**
 * This machine during a local run, for the analysis to judge latencies by
 * (run.json `local.machine`, docs/analysis.md "Verdicts"):
 *
 * - its floor: the platform latency (round trip minus the probe's handler time) of no-op
 *   requests through this very platform, on the run's profile without what it models as latency
 *   (provisioning delays, CPU quotas, scale-out limits; its placement and freezing stay, as they
 *   cost only this machine's time): a small study of its own run by the same orchestrator, driver
 *   processes, front door and probes, a burst of the plan's widest concurrency on fresh instances
 *   (cold), then the same on the warm ones. No emulated latency can come out below what that costs here. Measured before and
 *   after the run, so a machine that got busier meanwhile shows in the median; only for plans
 *   whose analysis reports latencies;
 * - its load: the one-minute load average sampled through the run, and the fraction of all
 *   cores busy between its start and end (/proc/stat).
 */
import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Runtime, StudyDefinitionInput } from '../../experiments/schema';
import { InvocationRecord } from '../../probe-runtime/contracts/invocation-record';
import { type MachineReport, RunManifest } from '../../probe-runtime/contracts/run-manifest';

/** The widest floor burst: enough to show contention, bounded so that measuring stays cheap. */
export const MAX_FLOOR_CONCURRENCY = 32;

export interface FloorSamples {
  /** Platform latency of each cold (first) request, per runtime. */
  coldMs: Partial<Record<Runtime, number[]>>;
  /** Platform latency of each warm request. */
  warmMs: number[];
}

/**
 * The floor as a study of its own, run through the same orchestrator, driver and platform:
 * `concurrency` no-op requests at once spread over one function per runtime (fresh instances),
 * then the same again (warm).
 */
export function floorDefinition(runtimes: readonly Runtime[], concurrency: number): StudyDefinitionInput {
  const perFunction = Math.ceil(Math.max(1, Math.min(MAX_FLOOR_CONCURRENCY, concurrency)) / runtimes.length);
  return {
    id: 'machine-floor',
    title: "This machine's latency floor",
    summary: 'No-op requests to fresh, then warm instances, on the run\'s profile without the latency it models.',
    paper: { experiment: 'E4', section: 'not from the paper: the local platform\'s own floor' },
    providers: ['local'],
    functions: { memoryMb: [128], runtime: [...runtimes] },
    schedule: [
      { kind: 'burst', label: 'cold', requestsPerTarget: perFunction },
      { kind: 'burst', label: 'warm', requestsPerTarget: perFunction },
    ],
    analysis: { kind: 'coldstart' },
    budget: { maxInvocations: 4 * MAX_FLOOR_CONCURRENCY, maxUsd: 1 },
  };
}

/**
 * `--profile-set` paths that take away what a profile models as latency: provisioning delays,
 * scale-out limits, early deaths (the floor run also runs without CPU quotas and faults). Placement
 * and freezing stay: they cost only this machine's time.
 */
export const FLOOR_PROFILE_SET: Readonly<Record<string, unknown>> = {
  'lifecycle.newHostDelayMs': 0,
  'lifecycle.initDelayMs': { min: 0, max: 0 },
  'lifecycle.maxLifetimeHours': null,
  'lifecycle.idleTimeoutMinutes': { min: 60, max: 60 },
  'scaling.scaleOutFraction': 1,
  'scaling.maxInstancesPerFunction': null,
  'scaling.accountConcurrency': 4 * MAX_FLOOR_CONCURRENCY,
};

/** Platform latencies (round trip minus the probe's handler time) of a floor run's records. */
export async function floorFromRecords(runDir: string): Promise<FloorSamples> {
  const out: FloorSamples = { coldMs: {}, warmMs: [] };
  const stepsDir = path.join(runDir, 'steps');
  for (const step of (await readdir(stepsDir)).sort()) {
    for (const shard of (await readdir(path.join(stepsDir, step))).sort()) {
      for (const line of (await readFile(path.join(stepsDir, step, shard), 'utf8')).split('\n')) {
        if (!line.trim()) continue;
        const parsed = InvocationRecord.safeParse(JSON.parse(line));
        const r = parsed.success ? parsed.data : null;
        if (!r || r.status !== 'ok' || !r.response || r.latencyMs === null) continue;
        const platformMs = Math.max(0, r.latencyMs - (r.response.timing.respondedAt - r.response.timing.receivedAt));
        if (r.response.instance.cold) (out.coldMs[r.response.runtime] ??= []).push(platformMs);
        else out.warmMs.push(platformMs);
      }
    }
  }
  return out;
}

/** Samples the load average while a run goes on; `stop()` summarises it. */
export class LoadSampler {
  private readonly samples: number[] = [];
  private timer: NodeJS.Timeout | null = null;
  private cpuStart: CpuTicks | null = null;

  async start(intervalMs = 1000): Promise<void> {
    this.cpuStart = await readCpuTicks();
    this.samples.push(os.loadavg()[0]!);
    this.timer = setInterval(() => this.samples.push(os.loadavg()[0]!), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<MachineReport['load']> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.samples.push(os.loadavg()[0]!);
    const end = await readCpuTicks();
    const start = this.cpuStart;
    const total = start && end ? end.total - start.total : 0;
    return {
      loadAverage: { median: median(this.samples), max: Math.max(...this.samples) },
      busyFraction: start && end && total > 0 ? Math.min(1, Math.max(0, (end.busy - start.busy) / total)) : null,
      samples: this.samples.length,
    };
  }
}

interface CpuTicks {
  busy: number;
  total: number;
}

async function readCpuTicks(): Promise<CpuTicks | null> {
  try {
    const line = (await readFile('/proc/stat', 'utf8')).split('\n').find((l) => l.startsWith('cpu '));
    if (!line) return null;
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

export function machineReport(before: FloorSamples | null, after: FloorSamples | null, concurrency: number, load: MachineReport['load']): MachineReport {
  const sides = [before, after].filter((s): s is FloorSamples => s !== null);
  const cold: Record<string, number> = {};
  for (const runtime of new Set(sides.flatMap((s) => Object.keys(s.coldMs) as Runtime[]))) {
    const values = sides.flatMap((s) => s.coldMs[runtime] ?? []);
    if (values.length > 0) cold[runtime] = median(values);
  }
  const warm = sides.flatMap((s) => s.warmMs);
  return {
    cpus: os.availableParallelism(),
    floor: warm.length === 0 ? null : { coldStartMs: cold, warmMs: median(warm), concurrency: Math.min(MAX_FLOOR_CONCURRENCY, concurrency), samples: warm.length },
    load,
  };
}

/** Adds what the platform learnt during the run to run.json's `local` section (temp file, then rename). */
export async function recordMachine(runDir: string, machine: MachineReport): Promise<void> {
  const file = path.join(runDir, 'run.json');
  const manifest = RunManifest.parse(JSON.parse(await readFile(file, 'utf8')));
  if (!manifest.local) return;
  const updated = RunManifest.parse({ ...manifest, local: { ...manifest.local, machine } });
  await writeFile(`${file}.part`, `${JSON.stringify(updated, null, 2)}\n`);
  await rename(`${file}.part`, file);
}

function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
