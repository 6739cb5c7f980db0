/**
 * What the local platform knows and a cloud never tells: which instance ran on
 * which host, the hosts' capacities, quotas, disk bandwidth and tenants, the
 * timers drawn for each instance, why each instance ended, what happened to
 * each request, and the model (the resolved profile) the run was drawn from.
 * Tests and the method check of local reports read it to check that the
 * analysis recovers the truth from probe signals alone; the analysis itself
 * must never read it.
 *
 * Written to `<out>/.ground-truth/<study>/<run>.json`, outside the run's own
 * folder, so nothing that reads a run in the bucket layout picks it up.
 *
 * Times: `startedAt`, `readyAt`, `endedAt`, `receivedAt`, `at` and `staleUntil` are real epoch
 * milliseconds; drawn timers (`idleTimeoutMs`, `maxLifetimeMs`) and the model's intervals are
 * platform time. Platform time = real time × `timeScale`.
 */
import path from 'node:path';
import { z } from 'zod';
import { PlatformProfile } from './profiles';

/** 2: the model, the machine, per-host quota/bandwidth/instances, per-instance init throttling. */
export const GROUND_TRUTH_VERSION = 2;

const CpuThrottling = z.strictObject({ periods: z.number(), throttledPeriods: z.number(), throttledMs: z.number() });

export const GroundTruthHost = z.strictObject({
  id: z.string(),
  type: z.string(),
  /** The tenant a dedicated host belongs to; null for a shared host. */
  tenant: z.string().nullable(),
  /** Every tenant that had an instance here. */
  tenantsSeen: z.array(z.string()),
  capacityMb: z.number().int(),
  /** Most aggregate instance memory committed at once. */
  peakMemoryMb: z.number().int(),
  instances: z.number().int(),
  cpuModel: z.string(),
  cpus: z.number().int(),
  memTotalMb: z.number().int(),
  kernel: z.string(),
  bootTime: z.number().int(),
  hostname: z.string(),
  privateIp: z.string(),
  sandboxRoot: z.string().nullable(),
  hypervisorUuid: z.string().nullable(),
  dmiProductUuid: z.string().nullable(),
  slow: z.boolean(),
  cpuFactor: z.number(),
  ioFactor: z.number(),
  /** A slower ("debased") host: its type's CPU or I/O factor is below 1. */
  debased: z.boolean(),
  /** Host-level CPU quota in real cores, shared by its instances; null when no CPU cgroups applied. */
  cpuQuotaCores: z.number().nullable(),
  /** Disk bandwidth (MB/s) and operations (per s) shared by its instances; null when unlimited or not applied. */
  ioMBps: z.number().nullable(),
  ioIops: z.number().nullable(),
  /** Every instance ever placed here, in placement order. */
  instanceIds: z.array(z.string()),
  createdAt: z.number(),
  retiredAt: z.number().nullable(),
});
export type GroundTruthHost = z.output<typeof GroundTruthHost>;

export const INSTANCE_END_REASONS = ['idle', 'lifetime', 'replaced', 'crashed', 'timeout', 'start-failed', 'exited', 'shutdown'] as const;

export const GroundTruthInstance = z.strictObject({
  /** The platform's id, also given to the probe as CURTAIN_LOCAL_INSTANCE_ID. */
  id: z.string(),
  /** The id the probe made for itself (from its first response); null if it never answered. */
  probeInstanceId: z.string().nullable(),
  function: z.string(),
  tenant: z.string(),
  runtime: z.enum(['nodejs', 'python']),
  memoryMb: z.number().int(),
  generation: z.string(),
  host: z.string(),
  /** Whether the instance opened its host (the first instance a host ever ran). */
  newHost: z.boolean(),
  /** Hosts (eligible for its tenant) that had room for it when it was placed. */
  hostsWithRoom: z.number().int(),
  pid: z.number().int().nullable(),
  /** CPU quota applied, in the profile's vCPUs; null when none. */
  cpuQuotaVcpus: z.number().nullable(),
  /** The same quota in real cores of this machine (vCPUs × `cpu.coresPerVcpu`): what a CPU-share loop can get at most. */
  cpuQuotaCores: z.number().nullable(),
  /** The process started inside its CPU cgroup, so its initialisation ran under its own and its host's quota. */
  initUnderQuota: z.boolean(),
  /** CFS statistics of the instance's cgroup when it said ready: throttling during initialisation. */
  initThrottling: CpuThrottling.nullable(),
  /** CFS statistics of the instance's cgroup when it ended (cpu.stat): evidence the quota was enforced. */
  cpuThrottling: CpuThrottling.nullable(),
  /** Drawn platform timers, platform-time milliseconds. */
  idleTimeoutMs: z.number(),
  maxLifetimeMs: z.number().nullable(),
  startedAt: z.number(),
  readyAt: z.number().nullable(),
  endedAt: z.number().nullable(),
  endReason: z.enum(INSTANCE_END_REASONS).nullable(),
  invocations: z.number().int(),
});
export type GroundTruthInstance = z.output<typeof GroundTruthInstance>;

export const INVOCATION_OUTCOMES = [
  'ok',
  'function-error',
  'crashed',
  'timeout',
  'throttled',
  'queue-timeout',
  'start-failed',
  'rejected',
  'stopped',
] as const;

export const GroundTruthInvocation = z.strictObject({
  step: z.number().int().nullable(),
  request: z.number().int().nullable(),
  attempt: z.number().int().nullable(),
  target: z.string(),
  instance: z.string().nullable(),
  host: z.string().nullable(),
  outcome: z.enum(INVOCATION_OUTCOMES),
  /** The instance ran an older configuration generation than the function's current one. */
  stale: z.boolean(),
  /** The request was the instance's first. */
  cold: z.boolean(),
  receivedAt: z.number(),
  queuedMs: z.number(),
  fault: z.enum(['crash', 'hang']).nullable(),
});
export type GroundTruthInvocation = z.output<typeof GroundTruthInvocation>;

export const GroundTruthUpdate = z.strictObject({
  function: z.string(),
  generation: z.string(),
  change: z.string(),
  at: z.number(),
  /** Real time until which old instances could still answer (lazy updates); equals `at` when immediate. */
  staleUntil: z.number(),
});

export const GroundTruthMachine = z.strictObject({
  /** CPU cores of the machine the platform ran on. */
  cores: z.number().int(),
  /**
   * Most real cores that hosts carrying instances had at once (the sum of their quotas). Above
   * `cores`, instances on different hosts could contend through the machine itself.
   */
  peakOccupiedHostCores: z.number(),
  /** Why per-host disk bandwidth was not applied; null when it was (see `ioLimitApplied`). */
  ioLimitReason: z.string().nullable(),
  cpuQuotaReason: z.string().nullable(),
});

export const GroundTruth = z.strictObject({
  v: z.literal(GROUND_TRUTH_VERSION),
  study: z.string(),
  run: z.string(),
  profile: z.string(),
  /** The resolved profile (with --profile-set overrides): the modelled behaviour the run drew from. */
  model: PlatformProfile,
  timeScale: z.number(),
  cpuQuotaApplied: z.boolean(),
  ioLimitApplied: z.boolean(),
  machine: GroundTruthMachine,
  hosts: z.array(GroundTruthHost),
  instances: z.array(GroundTruthInstance),
  invocations: z.array(GroundTruthInvocation),
  updates: z.array(GroundTruthUpdate),
});
export type GroundTruth = z.output<typeof GroundTruth>;

/** The ground truth of a run; a resumed run's later segments (each on a new platform) have their own file. */
export function groundTruthPath(outDir: string, study: string, run: string, segment = 0): string {
  return path.join(outDir, '.ground-truth', study, segment === 0 ? `${run}.json` : `${run}.resume-${segment}.json`);
}

/**
 * Every request's ground truth as it was answered, one JSON line each, appended before the answer
 * leaves the platform: unlike the ground truth file, which is written when the run ends, it survives
 * the run being killed. All segments of a resumed run append to it.
 */
export const GroundTruthJournalLine = GroundTruthInvocation.extend({
  /** 0 for `curtain run`, n for the n-th `curtain resume`. */
  segment: z.number().int().min(0),
  answeredAt: z.number(),
});
export type GroundTruthJournalLine = z.output<typeof GroundTruthJournalLine>;

export function groundTruthJournalPath(outDir: string, study: string, run: string): string {
  return path.join(outDir, '.ground-truth', study, `${run}.invocations.jsonl`);
}

/** A pair of instances that shared a host while both were alive (ids in sorted order). */
export interface CoResidentPair {
  a: string;
  b: string;
  host: string;
}

/**
 * Pairs of instances that were on the same host at the same time: the ground truth of
 * co-residency (an instance lives from `startedAt` to `endedAt`; one never ended lives to the end).
 */
export function coResidentPairs(truth: Pick<GroundTruth, 'instances'>): CoResidentPair[] {
  const byHost = new Map<string, GroundTruthInstance[]>();
  for (const i of truth.instances) byHost.set(i.host, [...(byHost.get(i.host) ?? []), i]);
  const pairs: CoResidentPair[] = [];
  for (const [host, instances] of byHost) {
    for (let x = 0; x < instances.length; x++) {
      for (let y = x + 1; y < instances.length; y++) {
        const [p, q] = [instances[x]!, instances[y]!];
        const overlap = p.startedAt < (q.endedAt ?? Number.POSITIVE_INFINITY) && q.startedAt < (p.endedAt ?? Number.POSITIVE_INFINITY);
        if (overlap) pairs.push(p.id < q.id ? { a: p.id, b: q.id, host } : { a: q.id, b: p.id, host });
      }
    }
  }
  return pairs;
}
