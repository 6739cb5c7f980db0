/**
 * What the local platform knows and a cloud never tells: which instance ran on
 * which host, the hosts' capacities and tenants, why each instance ended, and
 * what happened to each request. Tests read it to check that the analysis
 * recovers the truth from probe signals alone; the analysis must never read it.
 *
 * Written to `<out>/.ground-truth/<study>/<run>.json`, outside the run's own
 * folder, so nothing that reads a run in the bucket layout picks it up.
 */
import path from 'node:path';
import { z } from 'zod';

export const GROUND_TRUTH_VERSION = 1;

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
  /** CPU quota applied, in vCPUs; null when none. */
  cpuQuotaVcpus: z.number().nullable(),
  /** CFS statistics of the instance's cgroup when it ended (cpu.stat): evidence the quota was enforced. */
  cpuThrottling: z.strictObject({ periods: z.number(), throttledPeriods: z.number(), throttledMs: z.number() }).nullable(),
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

export const GroundTruth = z.strictObject({
  v: z.literal(GROUND_TRUTH_VERSION),
  study: z.string(),
  run: z.string(),
  profile: z.string(),
  timeScale: z.number(),
  cpuQuotaApplied: z.boolean(),
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
