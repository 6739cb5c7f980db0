/**
 * A burst step of a StudyPlan (contract 2, experiments/plan-schema.ts): the
 * part of the plan that orchestrators hand to the driver in a burst event
 * (driver-event.ts). It lives here, below the plan, so the wire contracts
 * never import the definition layer: experiments/ builds on contracts/, not
 * the other way round.
 */
import { z } from 'zod';
import { Task } from './task';

/** Fields every plan step has. */
export const PLAN_STEP_BASE = {
  index: z.number().int().min(0),
  /** `<index, at least 4 digits>-<kind>[-<label>]`, e.g. `0003-burst-cold`, `10080-wait`; used in result keys. */
  id: z.string().regex(/^[0-9]{4,6}-[a-z]+(-[a-z0-9-]+)?$/),
};

export const BurstStep = z.strictObject({
  ...PLAN_STEP_BASE,
  kind: z.literal('burst'),
  label: z.string().nullable(),
  /** Function keys; request r goes to targets[r % targets.length]. */
  targets: z.array(z.string()).min(1),
  requestsPerTarget: z.number().int().min(1),
  requests: z.number().int().min(1),
  /** Requests in flight at once across all shards of the burst. */
  concurrency: z.number().int().min(1),
  /** Barrier time = the step's start time + barrierMs; 0 = no barrier. */
  barrierMs: z.number().int().min(0),
  task: Task,
  freshConnection: z.boolean(),
  retries: z.number().int().min(0),
  /** Per-attempt timeout the driver applies, ms. */
  timeoutMs: z.number().int().min(1),
  /** Driver shards: shard s sends requests [s*requestsPerShard, min(requests, (s+1)*requestsPerShard)). */
  shards: z.number().int().min(1),
  requestsPerShard: z.number().int().min(1),
  /** In-flight limit inside one shard: ceil(concurrency / shards). */
  shardConcurrency: z.number().int().min(1),
  /**
   * Per-function in-flight limit inside one shard (definition `concurrencyPerTarget`): max(1, floor(c / shards)).
   * Absent: no per-function limit. (Optional fields are absent rather than null, so plans without them keep their hashes.)
   */
  shardTargetConcurrency: z.number().int().min(1).optional(),
  /** Padding bytes the driver adds to each request; absent: none. */
  requestBytes: z.number().int().min(0).optional(),
  /** Padding bytes each probe adds to its response; absent: none. */
  responseBytes: z.number().int().min(0).optional(),
  /**
   * Open-loop arrivals: request r is sent sendOffsetsMs[r] ms after the step's start (non-decreasing,
   * one per request). Absent: every request leaves at once (within the concurrency limits).
   */
  sendOffsetsMs: z.array(z.number().int().min(0)).optional(),
});
export type BurstStep = z.output<typeof BurstStep>;
