/**
 * Open-loop arrival processes a burst can use instead of "every request at once":
 * the driver sends each request at a planned time, whether or not earlier
 * requests have been answered.
 *
 *   fixed-rate  requests every 1/perSecond seconds over durationSeconds
 *   poisson     exponential gaps with mean 1/perSecond (seeded, so the plan is deterministic)
 *   trace       replay of per-minute invocation counts, e.g. one function of the Azure
 *               Functions 2019 public trace (experiments/arrivals/azure-functions-trace.ts),
 *               scaled and sliced; the requests of a minute are spread at random (seeded)
 *               over the minute
 *
 * The planner compiles arrivals into ordinary burst steps of at most `stepSeconds`
 * each, with per-request send offsets (experiments/arrivals/compile-arrivals.ts),
 * so a driver shard stays within a cloud function's time limit and the
 * orchestrators need no new step kind.
 */
import { z } from 'zod';

/** At most a week of arrivals in one burst item. */
const MAX_DURATION_SECONDS = 7 * 24 * 3600;

const common = {
  /** Longest plan step the arrivals are cut into, seconds (a driver shard must finish within its function's time limit). */
  stepSeconds: z.number().int().min(10).max(600).default(300),
};

export const FixedRateArrival = z.strictObject({
  kind: z.literal('fixed-rate'),
  perSecond: z.number().positive().max(1000),
  durationSeconds: z.number().positive().max(MAX_DURATION_SECONDS),
  ...common,
});

export const PoissonArrival = z.strictObject({
  kind: z.literal('poisson'),
  perSecond: z.number().positive().max(1000),
  durationSeconds: z.number().positive().max(MAX_DURATION_SECONDS),
  seed: z.number().int().min(0).default(1),
  ...common,
});

/** Trace formats the loader can read from a file. */
export const TRACE_FORMATS = ['azure-functions-2019'] as const;

export const TraceArrival = z
  .strictObject({
    kind: z.literal('trace'),
    format: z.enum(TRACE_FORMATS).default('azure-functions-2019'),
    /**
     * Invocations per minute. In a definition file you may give `file` (and `function`) instead:
     * `curtain validate|plan|run <file>` reads the trace and writes the counts here.
     */
    perMinute: z.array(z.number().int().min(0).max(1_000_000)).min(1).max(MAX_DURATION_SECONDS / 60).optional(),
    /** A trace file, relative to the definition file (replaced by `perMinute` when the definition is loaded). */
    file: z.string().min(1).optional(),
    /** Which row of the file: a HashFunction value (or a unique prefix of one); default the first row. */
    function: z.string().min(1).optional(),
    /** Where the counts came from (written by the loader: file name, sha256, row), for provenance. */
    source: z.string().optional(),
    /** Multiply every count by this (0.1 replays a tenth of the load); fractions are rounded at random (seeded). */
    scale: z.number().positive().max(1000).default(1),
    /** First minute replayed (0-based) and how many minutes; default: all from fromMinute on. */
    fromMinute: z.number().int().min(0).default(0),
    minutes: z.number().int().min(1).optional(),
    seed: z.number().int().min(0).default(1),
    ...common,
  })
  .refine((t) => (t.perMinute === undefined) !== (t.file === undefined), { message: 'give exactly one of perMinute or file' });

export const Arrival = z.discriminatedUnion('kind', [FixedRateArrival, PoissonArrival, TraceArrival]);
export type Arrival = z.output<typeof Arrival>;
export type TraceArrival = z.output<typeof TraceArrival>;
