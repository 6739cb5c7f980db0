/**
 * What a StudyPlan implies, computed once for every target: its tenants, the
 * functions its update steps change, each function's configuration after
 * each update, how many instances and driver shards it asks for at once.
 *
 * Orchestrator compilers (ASL, Workflows, Durable Functions, the local
 * walker), stacks and the local platform read these instead of walking the
 * plan their own way, so every target derives the same facts from a plan.
 * Pure functions of the plan: no provider, no I/O.
 */
import type { PlanFunction, StudyPlan, UpdateStep } from './plan-schema';

/** The configuration generation every function is deployed with (CURTAIN_GENERATION). */
export const INITIAL_GENERATION = 'g0';

/**
 * The generation a function has after the update step at `index`: `g<index + 1>`,
 * so it always differs from INITIAL_GENERATION (a refresh at step 0 must still
 * force new instances).
 */
export function generationAfterStep(index: number): string {
  return `g${index + 1}`;
}

/** The tenant a study's primary account, project or subscription belongs to. */
export const PRIMARY_TENANT = 'a';

/** The tenants the plan deploys functions for, sorted (the primary tenant first when present). */
export function planTenants(plan: Pick<StudyPlan, 'functions'>): string[] {
  return [...new Set(plan.functions.map((f) => f.tenant))].sort();
}

/** The tenant whose account holds the results store, the driver and the orchestrator. */
export function homeTenant(plan: Pick<StudyPlan, 'functions'>): string {
  const tenants = planTenants(plan);
  return tenants.includes(PRIMARY_TENANT) ? PRIMARY_TENANT : tenants[0]!;
}

/** The plan's functions of one tenant, in plan order. */
export function tenantFunctions(plan: Pick<StudyPlan, 'functions'>, tenant: string): PlanFunction[] {
  return plan.functions.filter((f) => f.tenant === tenant);
}

/**
 * The functions update steps reconfigure, in order of first update, and
 * whether any step changes their memory (a reset phase and memory permissions
 * depend on it).
 */
export function updatedFunctions(plan: Pick<StudyPlan, 'steps'>): Map<string, { memory: boolean }> {
  const updated = new Map<string, { memory: boolean }>();
  for (const step of plan.steps) {
    if (step.kind !== 'update') continue;
    const entry = updated.get(step.function) ?? { memory: false };
    if (step.change.kind === 'memory') entry.memory = true;
    updated.set(step.function, entry);
  }
  return updated;
}

/** The environment variables update steps change: CURTAIN_GENERATION always, then each `env` change's name. */
export function changedVariables(plan: Pick<StudyPlan, 'steps'>): string[] {
  return ['CURTAIN_GENERATION', ...new Set(plan.steps.flatMap((s) => (s.kind === 'update' && s.change.kind === 'env' ? [s.change.name] : [])))];
}

/** What an update step sets on a function. */
export interface FunctionConfiguration {
  env: Record<string, string>;
  memoryMb: number;
}

/** A function's configuration as the plan deploys it. */
export function initialConfiguration(fn: PlanFunction): FunctionConfiguration {
  return { env: { ...fn.env }, memoryMb: fn.memoryMb };
}

/** The configuration after an update: every change also sets the step's generation. */
export function configurationAfter(config: FunctionConfiguration, step: Pick<UpdateStep, 'change' | 'generation'>): FunctionConfiguration {
  const env = { ...config.env, CURTAIN_GENERATION: step.generation };
  switch (step.change.kind) {
    case 'refresh':
      return { env, memoryMb: config.memoryMb };
    case 'env':
      return { env: { ...env, [step.change.name]: step.change.value }, memoryMb: config.memoryMb };
    case 'memory':
      return { env, memoryMb: step.change.memoryMb };
  }
}

export interface ResolvedUpdate {
  step: UpdateStep;
  fn: PlanFunction;
  before: FunctionConfiguration;
  /** The function's whole configuration after the step (APIs that replace an environment need all of it). */
  after: FunctionConfiguration;
}

/** Every update step, in plan order, with its function's configuration before and after it. */
export function resolveUpdates(plan: Pick<StudyPlan, 'functions' | 'steps'>): ResolvedUpdate[] {
  const functions = new Map(plan.functions.map((f) => [f.key, f]));
  const current = new Map(plan.functions.map((f) => [f.key, initialConfiguration(f)]));
  const out: ResolvedUpdate[] = [];
  for (const step of plan.steps) {
    if (step.kind !== 'update') continue;
    const fn = functions.get(step.function);
    const before = current.get(step.function);
    if (!fn || !before) throw new Error(`plan step ${step.id} updates unknown function "${step.function}"`);
    const after = configurationAfter(before, step);
    current.set(step.function, after);
    out.push({ step, fn, before, after });
  }
  return out;
}

/**
 * How many instances the plan can ask of one function at once: for each burst,
 * the requests addressed to the function (request r goes to
 * targets[r % targets.length]) bounded by the burst's concurrency and, where the
 * burst limits each function (shardTargetConcurrency), by that limit in every
 * shard. Stacks set a
 * function's maximum instance count to this, so the platform never caps a
 * study below what it asks for, and never scales beyond it.
 */
export function peakDemand(plan: Pick<StudyPlan, 'steps'>, functionKey: string): number {
  let peak = 1;
  for (const step of plan.steps) {
    if (step.kind !== 'burst') continue;
    const slot = step.targets.indexOf(functionKey);
    if (slot < 0) continue;
    const n = step.targets.length;
    const addressed = Math.floor(step.requests / n) + (slot < step.requests % n ? 1 : 0);
    const perFunction = step.shardTargetConcurrency === undefined ? Number.POSITIVE_INFINITY : step.shardTargetConcurrency * step.shards;
    peak = Math.max(peak, Math.min(addressed, step.concurrency, perFunction));
  }
  return peak;
}

/** The most shards any burst of the plan runs at once: driver instances needed in parallel. */
export function peakShards(plan: Pick<StudyPlan, 'steps'>): number {
  return Math.max(1, ...plan.steps.map((s) => (s.kind === 'burst' ? s.shards : 1)));
}
