/**
 * How a constant-size orchestrator walks a plan it does not carry (issue 18).
 *
 * A Step Functions or Workflows definition holds no per-step data: it asks the
 * driver, which carries plan.json, to `describe-step` i (driver-event.ts) and
 * gets a StepDirective back: the step's kind and everything needed to run it
 * (the burst step exactly as the driver will accept it back, a wait's seconds,
 * an update's complete configuration and address), what comes after it
 * (`then`), and how to attribute a failure. So the definition's size does not
 * depend on the number of steps, and the driver still refuses anything its
 * plan does not contain (check-event.ts).
 *
 * Continue as new: an execution runs one segment of the plan and, where the
 * next segment starts (deployment.json `orchestration.handOverAt`, computed at
 * synth from the engine's limits: targets/segmentation.ts), `then` is
 * `hand-over`: the orchestrator starts a fresh execution at `next` with the run
 * id (and what it accumulated) and ends. Every step is described once per
 * execution that runs it and runs in exactly one execution.
 *
 * Indices before 0 are the resets an orchestrator may run before the first
 * step: each function an update step reconfigures, back to the configuration
 * the plan deploys, so a repeated run starts like a fresh deployment (index
 * -R .. -1 for R such functions, in order of first update).
 */
import { z } from 'zod';
import { BurstStep } from './burst-step';
import { DRIVER_EVENT_VERSION } from './driver-event';

/** What an orchestrator does after a step. */
export const StepThen = z.enum(['continue', 'hand-over', 'finish']);
export type StepThen = z.output<typeof StepThen>;

/** How a run is split into executions, staged beside the driver in deployment.json. */
export const Orchestration = z
  .strictObject({
    /** Plan step index where each execution after the first starts, ascending; empty: one execution runs the whole plan. */
    handOverAt: z.array(z.number().int().min(1)),
    /** Plan function key → role the orchestrator assumes to reconfigure it (AWS: a second tenant's account). */
    updateRoles: z.record(z.string(), z.string().min(1)).optional(),
  })
  .refine((o) => o.handOverAt.every((at, i) => i === 0 || at > o.handOverAt[i - 1]!), { message: 'handOverAt must be ascending', path: ['handOverAt'] });
export type Orchestration = z.output<typeof Orchestration>;

/** The segment (execution number, from 0) that runs step `index`; resets belong to the first. */
export function segmentOf(index: number, handOverAt: readonly number[]): number {
  let segment = 0;
  for (const at of handOverAt) if (index >= at) segment += 1;
  return segment;
}

/** What comes after step `index` of a plan of `stepCount` steps. */
export function thenAfter(index: number, stepCount: number, handOverAt: readonly number[]): StepThen {
  if (index + 1 >= stepCount) return 'finish';
  return handOverAt.includes(index + 1) ? 'hand-over' : 'continue';
}

/**
 * A failure's record for finish-run, for orchestrators that stop at the first
 * failure (Step Functions): the step it belongs to (-1 before the first step)
 * and how many steps had completed.
 */
export const FailureAttribution = z.strictObject({
  step: z.number().int().min(-1),
  completed: z.number().int().min(0),
  /** What failed, for the message: a step id, `reset-<key>`, `describe-step <i>`, `hand-over ...`, `finish-run`. */
  where: z.string(),
});
export type FailureAttribution = z.output<typeof FailureAttribution>;

const directiveBase = {
  v: z.literal(DRIVER_EVENT_VERSION),
  action: z.literal('describe-step'),
  study: z.string(),
  run: z.string(),
  index: z.number().int(),
  /** The plan step's id, or `reset-<function key>`. */
  id: z.string(),
  then: StepThen,
  /** The index after this one (describe it next, or start the next execution there). */
  next: z.number().int(),
  /** The execution (from 0) this step runs in, and the one `next` runs in. */
  segment: z.number().int().min(0),
  nextSegment: z.number().int().min(0),
  /** If this step fails. */
  failure: FailureAttribution,
  /** If what follows it fails: describing the next step, handing over, or finish-run. */
  nextFailure: FailureAttribution,
};

export const BurstDirective = z.strictObject({
  ...directiveBase,
  kind: z.literal('burst'),
  /** The plan's burst step, to be sent back unchanged in each shard's burst event. */
  step: BurstStep,
  /** Shard numbers 0..shards-1, to fan out over. */
  shards: z.array(z.number().int().min(0)).min(1),
});

export const WaitDirective = z.strictObject({
  ...directiveBase,
  kind: z.literal('wait'),
  /** The planned wait, seconds (fractions allowed). */
  seconds: z.number().min(0),
  /** The same rounded up, for engines that wait whole seconds (Step Functions). */
  wholeSeconds: z.number().int().min(0),
  /**
   * A wait anchored to the run's start (contracts/anchored-waits.ts): the instant it ends, run.json
   * `startedAt` + untilSeconds (ISO 8601, UTC, ms). The orchestrator waits until then (at once when it
   * has passed), not `seconds`; absent for a plain wait.
   */
  until: z.iso.datetime().optional(),
  /**
   * The same rounded up to the whole second, for engines that truncate milliseconds (Step Functions'
   * Wait "considers the time value up to seconds and truncates milliseconds"): the wait ends at or
   * after its anchor, never before.
   */
  untilWholeSecond: z.iso.datetime().optional(),
});

export const UpdateDirective = z.strictObject({
  ...directiveBase,
  kind: z.literal('update'),
  /** A reset before the first step (index < 0) rather than a plan step. */
  reset: z.boolean(),
  /** Plan function key, its deployable name and tenant. */
  function: z.string(),
  name: z.string(),
  tenant: z.string(),
  /** How the deployment reaches the function (Lambda name or ARN, URL). */
  target: z.string(),
  /** Role to assume for the update, when the function is in another account. */
  role: z.string().optional(),
  /** The function's whole environment after the step (APIs that replace the map need all of it). */
  env: z.record(z.string(), z.string()),
  /** Memory after the step, MB, and whether this step changes it. */
  memoryMb: z.number().int().min(1),
  memoryChanged: z.boolean(),
  /** vCPUs after the step where the provider couples them to memory (Google), else null. */
  vcpu: z.number().nullable(),
  generation: z.string(),
});

export const StepDirective = z.discriminatedUnion('kind', [BurstDirective, WaitDirective, UpdateDirective]);
export type StepDirective = z.output<typeof StepDirective>;
export type BurstDirective = z.output<typeof BurstDirective>;
export type UpdateDirective = z.output<typeof UpdateDirective>;
