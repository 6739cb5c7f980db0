/**
 * Contract 1: the study definition, the authoring format.
 *
 * A definition is plain data (JSON-compatible) so it can be written in JSON,
 * checked outside TypeScript with the exported JSON Schema
 * (docs/schemas/study-definition.schema.json), and hashed. Catalog studies are
 * TypeScript builders that produce such data from a few named parameters.
 *
 * Nothing downstream reads a definition: `planStudy` compiles it into a
 * StudyPlan for one provider, and every target runs the plan.
 */
import { z } from 'zod';
import { CLOUD_PROVIDER_IDS, PROVIDER_IDS } from '../probe-runtime/contracts/providers';
import { Task } from '../probe-runtime/contracts/task';
import { Arrival } from './arrivals/arrival-schema';
import { MAX_PAYLOAD_BYTES } from './payload';
import { isPhasedMetric, LatencyPhase, PHASED_METRICS } from './latency-phase';

/** The provider ids (probe-runtime/contracts/providers.ts); each has a target in targets/registry.ts. */
export const PROVIDERS = PROVIDER_IDS;
export const ProviderId = z.enum(PROVIDERS);
export type ProviderId = z.output<typeof ProviderId>;

export const Runtime = z.enum(['nodejs', 'python']);
export type Runtime = z.output<typeof Runtime>;

export const Architecture = z.enum(['x86_64', 'arm64']);
export type Architecture = z.output<typeof Architecture>;

/** Confidence labels of paper.md: [P] paper's words, [C] authors' code, [S] second-hand summary, [R] recollection. */
export const Confidence = z.enum(['P', 'C', 'S', 'R']);
export type Confidence = z.output<typeof Confidence>;

export const EXPERIMENTS = ['E1', 'E2', 'E3', 'E4', 'E5', 'E6', 'E7', 'E8', 'E9', 'E10'] as const;
export const Experiment = z.enum(EXPERIMENTS);
export type Experiment = z.output<typeof Experiment>;

export const ANALYSES = [
  'isolation',
  'placement',
  'scalability',
  'coldstart',
  'lifetime',
  'idle-recycling',
  'cpu-share',
  'contention',
  'update-consistency',
  'accounting',
] as const;
export const AnalysisKind = z.enum(ANALYSES);
export type AnalysisKind = z.output<typeof AnalysisKind>;

const kebab = z.string().regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, 'expected lower-case kebab-case, e.g. "cold-start"');

/** Tenants are single letters: deployable names stay short and `a` is always the primary account. */
export const TenantId = z.string().regex(/^[a-z]$/, 'expected a single lower-case letter, e.g. "a"');

/** What a run is compared with. Numbers carry their unit so reports can print them. */
export const Expectation = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('approx'),
    value: z.number(),
    unit: z.string(),
    /** Relative tolerance for "consistent", e.g. 0.5 = within ±50 %. */
    tolerance: z.number().positive().max(10).default(0.5),
  }),
  z.strictObject({ kind: z.literal('at-most'), value: z.number(), unit: z.string() }),
  z.strictObject({ kind: z.literal('at-least'), value: z.number(), unit: z.string() }),
  z
    .strictObject({ kind: z.literal('range'), min: z.number(), max: z.number(), unit: z.string() })
    .refine((r) => r.min <= r.max, { message: 'min is greater than max', path: ['max'] }),
  z.strictObject({ kind: z.literal('boolean'), value: z.boolean() }),
]);
export type Expectation = z.output<typeof Expectation>;

export const Claim = z.strictObject({
  id: kebab,
  /** The claim in words, as the report prints it. */
  statement: z.string().min(1),
  /** The platform the claim is about. Local runs check it when their profile models that platform. */
  provider: z.enum(CLOUD_PROVIDER_IDS),
  confidence: Confidence,
  /** Where the value comes from (e.g. "abstract", "second-hand summary of §4.2"). */
  source: z.string().min(1),
  /** Name of the metric the study's analysis computes for this claim (see docs/analysis.md). */
  metric: z.string().min(1),
  expected: Expectation,
  /** What has changed since 2018 that a replication should expect, if anything. */
  since2018: z.string().optional(),
  /**
   * For a latency metric: which part of the latency the claim is about (experiments/latency-phase.ts);
   * default `platform`, the round trip minus the probe's handler time.
   */
  phase: LatencyPhase.optional(),
  /**
   * The least evidence a verdict needs: the metric's `n` (the requests, instances, idle
   * trials, … it rests on; docs/analysis.md). Below it the claim is "insufficient evidence".
   */
  minEvidence: z.number().int().min(1).optional(),
});
export type Claim = z.output<typeof Claim>;

/** One value, or a list of distinct values that makes the setting a dimension of the matrix. */
function oneOrMany<T extends z.ZodType>(value: T, max: number) {
  return z.union([
    value,
    z
      .array(value)
      .min(1)
      .max(max)
      .refine((list) => new Set(list).size === list.length, { message: 'lists the same value twice' }),
  ]);
}

export const FunctionMatrix = z.strictObject({
  /** Memory sizes in MB; one function variant per size. */
  memoryMb: z.array(z.number().int().min(64).max(32_768)).min(1).max(64),
  runtime: z.array(Runtime).min(1).default(['nodejs']),
  tenant: z.array(TenantId).min(1).max(4).default(['a']),
  /** Identical copies of each variant (separate functions), e.g. to fill VMs in the placement study. */
  copies: z.number().int().min(1).max(200).default(1),
  /** One architecture, or a list (a dimension: one function per architecture where the provider offers each). */
  architecture: oneOrMany(Architecture, 2).default('x86_64'),
  /** One timeout, or a list (a dimension: one function per timeout). */
  timeoutSeconds: oneOrMany(z.number().int().min(1).max(3600), 16).default(60),
  /**
   * Language version per runtime, e.g. { nodejs: '22', python: '3.13' }; default: the newest
   * version the provider's hosting plan offers (experiments/runtime-lifecycle.ts).
   */
  runtimeVersions: z.strictObject({ nodejs: z.string().min(1).optional(), python: z.string().min(1).optional() }).optional(),
});
export type FunctionMatrix = z.output<typeof FunctionMatrix>;

/** Which function variants a schedule item addresses. Omitted dimensions match everything. */
export const TargetSelector = z.union([
  z.literal('all'),
  z.strictObject({
    memoryMb: z.array(z.number().int()).min(1).optional(),
    runtime: z.array(Runtime).min(1).optional(),
    tenant: z.array(TenantId).min(1).optional(),
    copy: z.array(z.number().int().min(0)).min(1).optional(),
    architecture: z.array(Architecture).min(1).optional(),
    timeoutSeconds: z.array(z.number().int()).min(1).optional(),
  }),
]);
export type TargetSelector = z.output<typeof TargetSelector>;

export const BurstItem = z.strictObject({
  kind: z.literal('burst'),
  /** Names the phase for analysis: `cold` (forced), `warm`, `after-idle` (natural cold or reuse), ... */
  label: kebab.optional(),
  targets: TargetSelector.default('all'),
  /** Requests sent to each selected function. */
  requestsPerTarget: z.number().int().min(1).max(1000).default(1),
  /** Requests in flight at once across the whole burst (all functions together); `all` sends every request at once. */
  concurrency: z.union([z.number().int().min(1).max(1000), z.literal('all')]).default('all'),
  /** Requests in flight at once per function, within the burst's `concurrency`; absent: no per-function cap. */
  concurrencyPerTarget: z.number().int().min(1).max(1000).optional(),
  /** Bytes of padding the driver adds to each request (the request payload); absent: none. */
  requestBytes: z.number().int().min(0).max(MAX_PAYLOAD_BYTES).optional(),
  /** Bytes of padding each probe adds to its response (the response payload); absent: none. */
  responseBytes: z.number().int().min(0).max(MAX_PAYLOAD_BYTES).optional(),
  /**
   * Open-loop arrivals: requests sent at planned times over a duration (fixed rate, Poisson, a
   * replayed trace) instead of all at once; the number of requests comes from the process, and
   * `requestsPerTarget` is not used. See experiments/arrivals/.
   */
  arrival: Arrival.optional(),
  /** Barrier delay: probes busy-wait until step start + barrierMs before their task (0 = no barrier). */
  barrierMs: z.number().int().min(0).max(60_000).default(0),
  /** Overrides the study's probe task for this burst. */
  task: Task.optional(),
  /** A new connection per request, as the paper's driver did. */
  freshConnection: z.boolean().default(true),
  /** Retries after error/throttled/timeout; 0 records the first failure as is. */
  retries: z.number().int().min(0).max(3).default(0),
});
export type BurstItem = z.output<typeof BurstItem>;

const MAX_WAIT_SECONDS = 7 * 24 * 3600;

export const WaitItem = z
  .strictObject({
    kind: z.literal('wait'),
    /** Real seconds on a cloud; the local platform divides by its time scale. At most 7 days. */
    seconds: z.number().positive().max(MAX_WAIT_SECONDS).optional(),
    /**
     * Wait until this many seconds after the run's start (or not at all when that time has passed):
     * a wait anchored to the run's start, so earlier steps' durations do not shift what follows.
     */
    untilSeconds: z.number().min(0).max(MAX_WAIT_SECONDS * 4).optional(),
  })
  .refine((w) => (w.seconds === undefined) !== (w.untilSeconds === undefined), { message: 'give exactly one of seconds or untilSeconds' });
export type WaitItem = z.output<typeof WaitItem>;

export const ConfigChange = z.discriminatedUnion('kind', [
  /** Bump the configuration generation (an environment variable): forces new instances, i.e. a forced cold start. */
  z.strictObject({ kind: z.literal('refresh') }),
  z.strictObject({ kind: z.literal('memory'), memoryMb: z.number().int().min(64).max(32_768) }),
  z.strictObject({
    kind: z.literal('env'),
    name: z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/, 'expected an upper-case environment variable name'),
    value: z.string().max(256),
  }),
]);
export type ConfigChange = z.output<typeof ConfigChange>;

export const UpdateItem = z.strictObject({
  kind: z.literal('update'),
  targets: TargetSelector.default('all'),
  change: ConfigChange,
});
export type UpdateItem = z.output<typeof UpdateItem>;

export interface RepeatItemOutput {
  kind: 'repeat';
  times: number;
  every?: number | undefined;
  steps: ScheduleItem[];
}
export type ScheduleItem = BurstItem | WaitItem | UpdateItem | RepeatItemOutput;
export interface RepeatItemInput {
  kind: 'repeat';
  times: number;
  every?: number | undefined;
  steps: ScheduleItemInput[];
}
export type ScheduleItemInput =
  | z.input<typeof BurstItem>
  | z.input<typeof WaitItem>
  | z.input<typeof UpdateItem>
  | RepeatItemInput;

export const RepeatItem = z.strictObject({
  kind: z.literal('repeat'),
  /** Bounded by the plan's step limit too (MAX_PLAN_STEPS in expand-schedule.ts), which the planner checks after expansion. */
  times: z.number().int().min(1).max(100_000),
  /**
   * Start iteration k this many seconds after iteration 0, on a grid anchored to the run's start
   * ("every N minutes" without drift from the iterations' own duration).
   */
  every: z.number().positive().max(MAX_WAIT_SECONDS).optional(),
  get steps() {
    return z.array(ScheduleItemSchema).min(1);
  },
});

// The cast only names the recursive input/output types TypeScript cannot infer
// through the getter; the runtime schema is exactly the union.
export const ScheduleItemSchema: z.ZodType<ScheduleItem, ScheduleItemInput> = z.discriminatedUnion('kind', [
  BurstItem,
  WaitItem,
  UpdateItem,
  RepeatItem,
]) as unknown as z.ZodType<ScheduleItem, ScheduleItemInput>;

export const Budget = z.strictObject({
  /** Attempts (requests including retries) the plan may make; the driver enforces it in the cloud. */
  maxInvocations: z.number().int().min(1).max(10_000_000),
  /** Estimated USD for the whole study, harness included. */
  maxUsd: z.number().positive().max(100_000),
});
export type Budget = z.output<typeof Budget>;

export const Adaptation = z.strictObject({
  /**
   * What to do with a memory size a provider cannot configure:
   * `refuse` the plan; use the `nearest` size the provider offers; or use the
   * provider's only size where it has one (`provider-fixed`, e.g. Azure Consumption), refusing otherwise.
   * Variants that end up identical are merged.
   */
  memory: z.enum(['refuse', 'nearest', 'provider-fixed']).default('refuse'),
  /**
   * What to do with a runtime a provider does not offer (Python on Cloudflare
   * Workers): `refuse` the plan, or leave it out (`offered`) as long as one runtime remains.
   */
  runtimes: z.enum(['refuse', 'offered']).default('refuse'),
});

export const ParameterValue = z.union([z.number(), z.string(), z.boolean(), z.array(z.number()), z.array(z.string())]);

export const StudyDefinition = z.strictObject({
  id: kebab.max(24, 'at most 24 characters: function names are derived from it'),
  title: z.string().min(1).max(120),
  summary: z.string().min(1),
  paper: z.strictObject({
    experiment: Experiment,
    /** Section or figure of the paper the study reproduces, as far as we know it. */
    section: z.string().min(1),
  }),
  claims: z.array(Claim).default([]),
  providers: z.array(ProviderId).min(1),
  functions: FunctionMatrix,
  schedule: z.array(ScheduleItemSchema).min(1),
  probe: z.strictObject({ task: Task.default({ name: 'noop' }) }).default({ task: { name: 'noop' } }),
  analysis: z.strictObject({ kind: AnalysisKind }),
  budget: Budget,
  adapt: Adaptation.default({ memory: 'refuse', runtimes: 'refuse' }),
  /** The parameter values the definition was built from (catalog studies), for display and provenance. */
  parameters: z.record(z.string(), ParameterValue).default({}),
  /** Free-form notes printed by `curtain show`. */
  notes: z.array(z.string()).default([]),
}).superRefine((definition, ctx) => {
  // A phase only means something for a latency metric of the study's own analysis.
  definition.claims.forEach((claim, i) => {
    if (claim.phase === undefined || isPhasedMetric(definition.analysis.kind, claim.metric)) return;
    const pattern = PHASED_METRICS[definition.analysis.kind];
    ctx.addIssue({
      code: 'custom',
      path: ['claims', i, 'phase'],
      message: pattern
        ? `"${claim.metric}" is not a latency metric of the ${definition.analysis.kind} analysis; only latency metrics take a phase (names matching ${pattern.source})`
        : `the ${definition.analysis.kind} analysis has no latency metric; only latency metrics take a phase`,
    });
  });
});
export type StudyDefinition = z.output<typeof StudyDefinition>;
export type StudyDefinitionInput = z.input<typeof StudyDefinition>;
