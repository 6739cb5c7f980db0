/**
 * Contract 2: the StudyPlan, the compiled, provider-specific intermediate form.
 *
 * Plain JSON, deterministic and content-hashed. Every target (AWS, Azure, Google,
 * the local platform) deploys and runs a plan, never a definition, so all of
 * them run exactly the same study. The schema is used to validate plans read
 * back from a bucket or a file (`plan.json` of a run).
 */
import { z } from 'zod';
import { BurstStep, PLAN_STEP_BASE } from '../probe-runtime/contracts/burst-step';
import { AnalysisKind, Architecture, Claim, ConfigChange, Experiment, ParameterValue, ProviderId, Runtime, TenantId } from './schema';
import { checkRegion, hostingName } from './target-names';

export const PLAN_SCHEMA_VERSION = 1;

export const PlanFunction = z.strictObject({
  /** Stable key within the plan, e.g. `node-m128-a-0`; records refer to functions by it. */
  key: z.string().regex(/^[a-z0-9-]+$/),
  /** Deployable name (≤ 56 characters, lower-case, digits and hyphens), unique per study. */
  name: z.string().regex(/^[a-z][a-z0-9-]{0,55}$/),
  memoryMb: z.number().int(),
  /** The sizes the definition asked for that this function stands for (several when adapted and merged). */
  requestedMemoryMb: z.array(z.number().int()).min(1),
  /** vCPUs to configure where the provider sets them separately (Google), else the implied share; null if unknown. */
  vcpu: z.number().nullable(),
  runtime: Runtime,
  /** Provider runtime identifier, e.g. `nodejs22.x`, `python312`, `node|22`. */
  runtimeVersion: z.string(),
  architecture: Architecture,
  tenant: TenantId,
  copy: z.number().int().min(0),
  timeoutSeconds: z.number().int().min(1),
  /** Environment the function starts with; CURTAIN_GENERATION is what update steps change. */
  env: z.record(z.string(), z.string()),
});
export type PlanFunction = z.output<typeof PlanFunction>;

/** A burst step (its schema lives beside the driver event that carries it: contracts/burst-step.ts). */
export { BurstStep };

/** The time from a burst step's start to its last planned send (open-loop arrivals), ms; 0 when all leave at once. */
export function burstSendSpanMs(step: Pick<BurstStep, 'sendOffsetsMs'>): number {
  const offsets = step.sendOffsetsMs;
  return offsets && offsets.length > 0 ? offsets[offsets.length - 1]! : 0;
}

export const WaitStep = z.strictObject({
  ...PLAN_STEP_BASE,
  kind: z.literal('wait'),
  /** Planned length, seconds (for an anchored wait: until its anchor, on the plan's expected clock; may be 0). */
  seconds: z.number().min(0),
  /**
   * Anchored wait: it ends this many seconds after the run's start (run.json startedAt), or at once
   * when that time has passed, whatever earlier steps took. Absent: a plain wait of `seconds`.
   */
  untilSeconds: z.number().min(0).optional(),
});
export type WaitStep = z.output<typeof WaitStep>;

export const UpdateStep = z.strictObject({
  ...PLAN_STEP_BASE,
  kind: z.literal('update'),
  /** The function key to reconfigure. */
  function: z.string(),
  change: ConfigChange,
  /**
   * The CURTAIN_GENERATION value the function has after this step: `g<index + 1>`, so it
   * always differs from the initial `g0` (a refresh at step 0 must still force new instances).
   */
  generation: z.string(),
});
export type UpdateStep = z.output<typeof UpdateStep>;

export const PlanStep = z.discriminatedUnion('kind', [BurstStep, WaitStep, UpdateStep]);
export type PlanStep = z.output<typeof PlanStep>;

export const CostBreakdown = z.strictObject({
  probes: z.number(),
  driver: z.number(),
  orchestrator: z.number(),
  storage: z.number(),
  logs: z.number(),
});
export type CostBreakdown = z.output<typeof CostBreakdown>;

export const PlanCost = z.strictObject({
  usd: z.number(),
  breakdown: CostBreakdown,
  priceTable: z.strictObject({
    id: z.string(),
    asOf: z.string(),
    region: z.string(),
    sources: z.array(z.string()),
  }),
  assumptions: z.array(z.string()),
  /** The usage units priced (GB-seconds, requests, ...), so the arithmetic can be redone by hand. */
  units: z.record(z.string(), z.number()),
});
export type PlanCost = z.output<typeof PlanCost>;

export const StudyPlan = z.strictObject({
  schemaVersion: z.literal(PLAN_SCHEMA_VERSION),
  study: z.strictObject({
    id: z.string(),
    title: z.string(),
    experiment: Experiment,
    section: z.string(),
    /** sha256 of the canonical definition the plan was compiled from. */
    definitionHash: z.string(),
  }),
  provider: ProviderId,
  /** Checked against the provider's region names (target-names.ts): it is printed into rerun commands. */
  region: z.string(),
  hosting: hostingName,
  parameters: z.record(z.string(), ParameterValue),
  functions: z.array(PlanFunction).min(1),
  steps: z.array(PlanStep).min(1),
  /** Requests the schedule sends (first attempts). */
  invocations: z.number().int().min(0),
  /** Attempts including every allowed retry: what the invocation cap is checked against. */
  maxAttempts: z.number().int().min(0),
  duration: z.strictObject({
    /** Sum of wait steps, seconds (real time on a cloud). */
    waitSeconds: z.number(),
    /** Expected wall time of the whole run, waits included, seconds. */
    estimatedSeconds: z.number(),
  }),
  cost: PlanCost,
  budget: z.strictObject({
    maxUsd: z.number(),
    maxInvocations: z.number().int(),
    verdict: z.enum(['within', 'over']),
    reasons: z.array(z.string()),
  }),
  /** Every change the planner made to fit the provider, in words. */
  adaptations: z.array(z.string()),
  /** Provider limits the schedule exceeds on purpose (measured, not refused). */
  warnings: z.array(z.string()),
  analysis: z.strictObject({ kind: AnalysisKind }),
  claims: z.array(Claim),
  /** sha256 of the canonical JSON of every other field. */
  hash: z.string().regex(/^[0-9a-f]{64}$/),
}).superRefine((plan, ctx) => checkRegion(plan.provider, plan.region, ctx, ['region']));
export type StudyPlan = z.output<typeof StudyPlan>;
