/**
 * What an orchestrator (Step Functions, Workflows, Durable Functions, the local
 * runner) sends the driver for one shard of one burst step, and what the driver
 * returns. The driver runs the shard's requests, writes one JSONL shard under
 * its idempotent key (bucket-layout.ts) and returns the summary.
 */
import { z } from 'zod';
import { BurstStep } from '../../experiments/plan-schema';

export const DRIVER_EVENT_VERSION = 1;

export const DriverEvent = z.strictObject({
  v: z.literal(DRIVER_EVENT_VERSION),
  study: z.string().min(1),
  run: z.string().min(1),
  planHash: z.string().regex(/^[0-9a-f]{64}$/),
  /** The burst step exactly as it appears in the plan; the driver refuses a step its plan does not contain. */
  step: BurstStep,
  shard: z.number().int().min(0),
  /**
   * When the orchestrator entered the step (ISO 8601). The barrier is anchored to it
   * (barrierAt = stepStartedAt + step.barrierMs), so every shard of a burst shares one
   * barrier; when absent the driver uses its own start time.
   */
  stepStartedAt: z.iso.datetime({ offset: true }).optional(),
});
export type DriverEvent = z.output<typeof DriverEvent>;

export const DriverSummary = z.strictObject({
  v: z.literal(DRIVER_EVENT_VERSION),
  study: z.string(),
  run: z.string(),
  step: z.number().int(),
  stepId: z.string(),
  shard: z.number().int(),
  /** Object key (or file path relative to the results root) the shard was written to. */
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
export type DriverSummary = z.output<typeof DriverSummary>;
