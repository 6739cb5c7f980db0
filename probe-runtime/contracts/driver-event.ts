/**
 * What an orchestrator (Step Functions, Workflows, Durable Functions, the local
 * runner) asks of the driver, and what the driver answers.
 *
 * The driver does three things, so orchestrators need no storage integration of
 * their own and every provider closes its runs the same way:
 *   - `start-run`: write `<study>/<run>/plan.json` and `run.json` (status running);
 *   - `burst`: send one shard of one burst step, write its JSONL shard under its
 *     idempotent key (bucket-layout.ts), return counts;
 *   - `finish-run`: rewrite `run.json` with the final status and failures;
 *   - `describe-step`: answer what step i of the plan is and what comes after it
 *     (step-directive.ts), so Step Functions and Workflows definitions walk the
 *     plan without carrying it and stay the same size for any study length.
 *
 * The driver carries its study's plan (deployed next to it as plan.json) and
 * refuses requests for another plan hash or for a step its plan does not
 * contain: together with each step's retry limit that bounds the attempts of a
 * run by the plan's `maxAttempts`, which the budget was checked against.
 */
import { z } from 'zod';
import { BurstStep } from './burst-step';
import { RunStatus, ShardSends } from './run-manifest';

export const DRIVER_EVENT_VERSION = 1;

const common = {
  v: z.literal(DRIVER_EVENT_VERSION),
  study: z.string().min(1),
  run: z.string().min(1),
  planHash: z.string().regex(/^[0-9a-f]{64}$/),
};

export const StartRunEvent = z.strictObject({
  ...common,
  action: z.literal('start-run'),
  /**
   * The input the run's execution was started with, where the orchestrator passes it on (Step Functions:
   * `$$.Execution.Input`). `curtain start` and the AWS twin put the hash of the template the stack was
   * deployed from there (stacks/aws/template-hash.ts): the deployed driver cannot carry the hash of the
   * template that contains it. Other keys are the orchestrator's own (run, next) and are not read here.
   */
  execution: z.looseObject({ templateHash: z.string().regex(/^[0-9a-f]{64}$/).optional() }).optional(),
});

export const BurstShardEvent = z.strictObject({
  ...common,
  action: z.literal('burst'),
  /** The burst step exactly as it appears in the plan. */
  step: BurstStep,
  shard: z.number().int().min(0),
  /**
   * When the orchestrator entered the step (ISO 8601). The barrier is anchored to it
   * (barrierAt = stepStartedAt + step.barrierMs), so every shard of a burst shares one
   * barrier; when absent the driver uses its own start time.
   */
  stepStartedAt: z.iso.datetime({ offset: true }).optional(),
  /**
   * Send only these requests of the shard and merge their records into the shard already written
   * (a resumed run completing a shard): each a request index within the shard, with the number of
   * earlier sends by drivers that died (0 for a request never sent).
   */
  only: z
    .array(z.strictObject({ request: z.number().int().min(0), priorSends: z.number().int().min(0) }))
    .min(1)
    .optional(),
});

export const DescribeStepEvent = z.strictObject({
  ...common,
  action: z.literal('describe-step'),
  /** Plan step index; negative indices are the resets before step 0 (step-directive.ts). */
  index: z.number().int(),
});

export const FinishRunEvent = z.strictObject({
  ...common,
  action: z.literal('finish-run'),
  status: RunStatus.exclude(['running']),
  stepsCompleted: z.number().int().min(0),
  /** `step` -1: the run as a whole, or before the first step (start-run, finish-run, a reset, a hand-over that failed before any step of its segment). */
  failures: z.array(z.strictObject({ step: z.number().int().min(-1), shard: z.number().int().nullable(), message: z.string() })).default([]),
  /** Written into run.json as is (run-manifest.ts). */
  shardSends: ShardSends.optional(),
});

export const DriverEvent = z.discriminatedUnion('action', [StartRunEvent, BurstShardEvent, DescribeStepEvent, FinishRunEvent]);
export type DriverEvent = z.output<typeof DriverEvent>;
export type BurstShardEvent = z.output<typeof BurstShardEvent>;
export type DescribeStepEvent = z.output<typeof DescribeStepEvent>;

export const BurstShardSummary = z.strictObject({
  v: z.literal(DRIVER_EVENT_VERSION),
  action: z.literal('burst'),
  study: z.string(),
  run: z.string(),
  step: z.number().int(),
  stepId: z.string(),
  shard: z.number().int(),
  /** Object key (or path relative to the results root) the shard was written to. */
  key: z.string(),
  requests: z.number().int(),
  attempts: z.number().int(),
  counts: z.strictObject({
    ok: z.number().int(),
    error: z.number().int(),
    throttled: z.number().int(),
    timeout: z.number().int(),
    skipped: z.number().int(),
  }),
  startedAt: z.number(),
  endedAt: z.number(),
});
export type BurstShardSummary = z.output<typeof BurstShardSummary>;
