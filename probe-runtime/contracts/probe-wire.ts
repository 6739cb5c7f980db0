/**
 * Contract 3: what the driver sends a probe and what the probe answers.
 *
 * The same shapes are used on every provider and on the local platform; the
 * Python probe emits the same response (checked against the exported JSON
 * Schema). Timestamps are epoch milliseconds with sub-millisecond fractions
 * (a monotonic clock anchored to the epoch at start-up), so latencies computed
 * from them are immune to wall-clock steps.
 */
import { z } from 'zod';
import { Task } from './task';

export const PROBE_PROTOCOL_VERSION = 1;

export const ProbeRequest = z.strictObject({
  v: z.literal(PROBE_PROTOCOL_VERSION),
  study: z.string().min(1),
  run: z.string().min(1),
  /** Index of the plan step this request belongs to. */
  step: z.number().int().min(0),
  /** Index of the request within its step (0-based, unique per step). */
  request: z.number().int().min(0),
  /** 1 for the first try; retries count up. */
  attempt: z.number().int().min(1),
  /** The plan's function key this request is addressed to. */
  target: z.string().min(1),
  task: Task,
  /** Absolute epoch-ms time the probe busy-waits for before running the task; null for no barrier. */
  barrierAt: z.number().nullable(),
  /** The driver's send time (epoch ms), echoed for clock-offset estimates. */
  sentAt: z.number(),
  /** Padding that makes the request as large as the step's `requestBytes` asks (payload-size studies); ignored by the probe. */
  payload: z.string().optional(),
  /** Bytes of padding the probe adds to its response (`payload`); absent or 0: none. */
  responseBytes: z.number().int().min(0).optional(),
});
export type ProbeRequest = z.output<typeof ProbeRequest>;
export type ProbeRequestInput = z.input<typeof ProbeRequest>;

/** A field a platform may not expose: null rather than an exception. */
const maybe = <T extends z.ZodType>(schema: T) => schema.nullable();

export const HostFingerprint = z.strictObject({
  /** `btime` from <proc>/stat: the (micro)VM's boot time, epoch seconds. The best VM id since 2019. */
  bootTime: maybe(z.number().int()),
  /** Lines of <proc>/self/cgroup, verbatim; 2018 Lambda's `sandbox-root-XXXXXX` identified the VM. */
  cgroup: maybe(z.array(z.string())),
  cpuModel: maybe(z.string()),
  cpuCount: maybe(z.number().int().min(1)),
  memTotalKb: maybe(z.number().int().min(0)),
  /** <proc>/sys/kernel/osrelease */
  kernel: maybe(z.string()),
  hostname: maybe(z.string()),
  /** First non-loopback IPv4 address of the instance. */
  privateIp: maybe(z.string()),
  /** /sys/hypervisor/uuid where readable (Xen). */
  hypervisorUuid: maybe(z.string()),
  /** /sys/class/dmi/id/product_uuid where readable. */
  dmiProductUuid: maybe(z.string()),
});
export type HostFingerprint = z.output<typeof HostFingerprint>;

/** Deltas of the aggregate `cpu` line of <proc>/stat across the invocation, in clock ticks. */
export const CpuTimeDelta = z.strictObject({
  user: z.number(),
  nice: z.number(),
  system: z.number(),
  idle: z.number(),
  iowait: z.number(),
  irq: z.number(),
  softirq: z.number(),
  steal: z.number(),
});
export type CpuTimeDelta = z.output<typeof CpuTimeDelta>;

export const InstanceIdentity = z.strictObject({
  /** Random id made when the instance initialised. */
  id: z.string().min(1),
  /** Epoch ms at which the instance initialised. */
  startedAt: z.number(),
  /** 1 on the first invocation of this instance. */
  invocation: z.number().int().min(1),
  /** True on the first invocation of the instance (no marker in /tmp yet). */
  cold: z.boolean(),
  /** Whether the /tmp marker written by an earlier instance life was found (a reused sandbox). */
  tmpMarkerFound: z.boolean(),
});
export type InstanceIdentity = z.output<typeof InstanceIdentity>;

export const TaskResult = z.strictObject({
  name: z.string(),
  ok: z.boolean(),
  error: z.string().nullable(),
  /** Task-specific measurements (documented per task in docs/probe.md, "Tasks and their values"). */
  values: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()])),
});
export type TaskResult = z.output<typeof TaskResult>;

/**
 * Background work (task `background`, paper E10) started by an earlier invocation
 * of this instance, as it stood when this request arrived. Units are the cpu-work
 * kernel's, so `unitsDone` converts to CPU time with a cpu-work run's msPerUnit.
 */
export const BackgroundReport = z.strictObject({
  /** The invocation number (InstanceIdentity.invocation) that started the work. */
  startedInvocation: z.number().int().min(1),
  startedAt: z.number(),
  /** How long the work was asked to continue. */
  durationMs: z.number().int().min(0),
  unitsDone: z.number().int().min(0),
  /** Wall time spent inside work chunks, ms. */
  workMs: z.number().min(0),
  /** When the last chunk ended; null if no chunk ran yet. */
  lastProgressAt: z.number().nullable(),
  /** Still scheduled (durationMs not reached) when this request arrived. */
  running: z.boolean(),
  /**
   * Added after v1's first release (optional, so earlier responses stay valid): the most recent
   * stretch of at least 100 ms in which the work did not run (a freeze, a long descheduling), with
   * the work done before it. When the request that reports this
   * thawed a frozen instance, the work after `resumedAt` ran because of that request, not unbilled.
   * Null when the work never stalled.
   */
  lastPause: z.strictObject({ at: z.number(), resumedAt: z.number(), workMsBefore: z.number().min(0) }).nullable().optional(),
});
export type BackgroundReport = z.output<typeof BackgroundReport>;

export const ProbeResponse = z.strictObject({
  v: z.literal(PROBE_PROTOCOL_VERSION),
  /** Probe implementation and version, e.g. `node@1`, `python@1`. */
  probe: z.string(),
  runtime: z.enum(['nodejs', 'python']),
  /** The language runtime's own version string, e.g. `v22.11.0` or `3.12.3`. */
  runtimeVersion: z.string(),
  instance: InstanceIdentity,
  host: HostFingerprint,
  cpuDelta: maybe(CpuTimeDelta),
  /** Identifiers the provider exposes in the environment (log stream, instance id, revision, ...). */
  providerIds: z.record(z.string(), z.string()),
  /** The configuration generation the instance was started with (CURTAIN_GENERATION); null if unset. */
  generation: z.string().nullable(),
  /** Memory the instance believes it has (from the provider's environment), MB. */
  memoryMb: maybe(z.number()),
  /**
   * The probe's own clock (docs/analysis.md "Latency phases"): receive, barrier wait, task,
   * response. Durations between these readings are exact; subtracting the driver's times
   * from them mixes two clocks.
   */
  timing: z.strictObject({
    receivedAt: z.number(),
    /**
     * Added after v1's first release (optional, so earlier responses stay valid): when the barrier
     * wait began (after fingerprinting); null when the request had no barrier. Without it the wait
     * is derived from the handler time, the task and overheadMs.total.
     */
    barrierStartedAt: z.number().nullable().optional(),
    /** When the barrier wait ended; null when the request had no barrier. */
    barrierReleasedAt: z.number().nullable(),
    taskStartedAt: z.number(),
    taskEndedAt: z.number(),
    respondedAt: z.number(),
  }),
  /** The probe's own cost in ms: fingerprinting and total bookkeeping outside the task. */
  overheadMs: z.strictObject({ fingerprint: z.number(), total: z.number() }),
  task: TaskResult,
  /**
   * Added after v1's first release (optional, so earlier responses stay valid):
   * the instance's latest background work, null when none was ever started.
   */
  backgroundWork: BackgroundReport.nullable().optional(),
  /**
   * Added after v1's first release (optional): padding of `responseBytes` characters when the request
   * asked for it. The driver records its size and drops it before storing the response.
   */
  payload: z.string().optional(),
});
export type ProbeResponse = z.output<typeof ProbeResponse>;
