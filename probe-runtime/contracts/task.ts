/**
 * The work a probe performs after its (optional) barrier. Shared by the study
 * definition layer (what a study asks for), the driver (what it sends) and the
 * probe (what it runs), so all three validate the same shape.
 *
 * Every task has an upper bound on its duration: a probe must never run past
 * its platform's timeout because a definition asked for too much, and the cost
 * model uses `taskDurationUpperBoundMs` to estimate billed time.
 */
import { z } from 'zod';

/** Hard ceiling for any single task, well under every provider's timeout. */
export const MAX_TASK_MS = 120_000;

const durationMs = z.number().int().min(1).max(MAX_TASK_MS);

export const NoopTask = z.strictObject({ name: z.literal('noop') }).describe('Do nothing; measure identity and timing only.');

export const SleepTask = z
  .strictObject({ name: z.literal('sleep'), ms: durationMs })
  .describe('Sleep without using CPU.');

export const CpuShareTask = z
  .strictObject({
    name: z.literal('cpu-share'),
    durationMs: durationMs.default(1000),
    /** A gap between two consecutive loop timestamps longer than this counts as being descheduled. */
    gapThresholdUs: z.number().int().min(10).max(100_000).default(200),
  })
  .describe('Tight timestamp loop; the fraction of wall time the loop ran is the CPU share (paper E7).');

export const CpuWorkTask = z
  .strictObject({
    name: z.literal('cpu-work'),
    /** Units of fixed work (one unit is a fixed arithmetic kernel); the probe reports how long they took. */
    units: z.number().int().min(1).max(100_000).default(1000),
    /** The probe stops early, reporting the units done, when this bound is hit. */
    maxMs: durationMs.default(30_000),
  })
  .describe('Fixed amount of CPU work, timed.');

export const IoTask = z
  .strictObject({
    name: z.literal('io'),
    megabytes: z.number().int().min(1).max(1024).default(64),
    blockKb: z.number().int().min(4).max(16_384).default(1024),
    maxMs: durationMs.default(60_000),
  })
  .describe("Write N MB under /tmp with synchronous writes (O_DSYNC) and a final fdatasync, as the paper's dd (oflag=dsync conv=fdatasync); reports MB/s (paper E8).");

export const NetTask = z
  .strictObject({
    name: z.literal('net'),
    direction: z.enum(['download', 'upload']).default('download'),
    megabytes: z.number().int().min(1).max(1024).default(16),
    /**
     * The throughput endpoint. Usually absent from a definition: the provider
     * target fills it in (a presigned object URL on the clouds, a loopback
     * server on the local platform).
     */
    url: z.url().optional(),
    maxMs: durationMs.default(60_000),
  })
  .describe('Download from or upload to a URL and report throughput (the paper used iperf3; paper E8).');

export const MemoryTask = z
  .strictObject({
    name: z.literal('memory'),
    megabytes: z.number().int().min(1).max(10_240).default(64),
  })
  .describe('Allocate and touch N MB.');

export const BackgroundTask = z
  .strictObject({
    name: z.literal('background'),
    /** How long the background work tries to continue after the handler has returned. */
    durationMs: durationMs.default(60_000),
  })
  .describe(
    'Start CPU work that continues after the handler returns; the next invocation of the same instance reports how much was done (paper E10, resource accounting).',
  );

/** Frames of one covert-channel burst at most (one sender per frame). */
export const MAX_CHANNEL_FRAMES = 64;

export const CovertChannelTask = z
  .strictObject({
    name: z.literal('covert-channel'),
    /** Frames after the barrier; in frame f the instance answering request f of the burst sends, every other one listens. */
    frames: z.number().int().min(1).max(MAX_CHANNEL_FRAMES),
    /** Bits per frame (slots), half of them ones (contracts/covert-pattern.ts). */
    bits: z.number().int().min(4).max(64).default(16),
    /** Length of one bit, ms. */
    bitMs: z.number().int().min(10).max(1000).default(50),
    /** Seed of the frames' bit patterns, so that a receiver cannot guess them. */
    seed: z.number().int().min(0).max(2_147_483_647).default(1),
  })
  .describe(
    'A disk-contention covert channel (the paper confirmed co-residency with a contention channel): barrier-aligned frames; the sender of a frame writes synchronously in its pattern\'s 1-slots, every other instance times small synchronous writes and decodes the slots it found slowest. Frames past 120 s are not run.',
  );

export const Task = z.discriminatedUnion('name', [
  NoopTask,
  SleepTask,
  CpuShareTask,
  CpuWorkTask,
  IoTask,
  NetTask,
  MemoryTask,
  BackgroundTask,
  CovertChannelTask,
]);
export type Task = z.output<typeof Task>;
export type TaskInput = z.input<typeof Task>;
export type TaskName = Task['name'];
export const TASK_NAMES = Task.options.map((o) => o.shape.name.value) as TaskName[];

/**
 * The longest the handler can be busy with this task (excluding the barrier),
 * used for timeouts and cost estimates. Background work is not counted: it runs
 * after the handler returned, which is precisely what E10 measures.
 */
export function taskDurationUpperBoundMs(task: Task): number {
  switch (task.name) {
    case 'noop':
      return 0;
    case 'sleep':
      return task.ms;
    case 'cpu-share':
      return task.durationMs;
    case 'cpu-work':
    case 'io':
    case 'net':
      return task.maxMs;
    case 'memory':
      // Touching memory runs at several GB/s; allow 1 ms per MB and a floor.
      return Math.max(100, task.megabytes);
    case 'background':
      return 50;
    case 'covert-channel':
      return covertChannelMs(task);
  }
}

/** How long the covert channel's frames last after the barrier (the probe stops at MAX_TASK_MS). */
export function covertChannelMs(task: Pick<z.output<typeof CovertChannelTask>, 'frames' | 'bits' | 'bitMs'>): number {
  return Math.min(MAX_TASK_MS, task.frames * task.bits * task.bitMs);
}

/**
 * The duration we expect a task to take, for cost estimates (not a bound).
 * Kept separate from the upper bound so estimates are not inflated by safety margins.
 */
export function taskExpectedDurationMs(task: Task): number {
  switch (task.name) {
    case 'cpu-work':
      return Math.min(task.maxMs, task.units * 1); // ~1 ms per unit on a one-vCPU instance
    case 'io':
      return Math.min(task.maxMs, task.megabytes * 10); // ~100 MB/s
    case 'net':
      return Math.min(task.maxMs, task.megabytes * 80); // ~100 Mbit/s
    default:
      return taskDurationUpperBoundMs(task);
  }
}
