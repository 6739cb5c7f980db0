/**
 * The driver's answer to `describe-step` (contracts/step-directive.ts): what
 * step i of the deployed plan is, everything an orchestrator needs to run it,
 * and what comes after it. A pure function of the plan and the deployment, so
 * every describe of a step gives the same answer, in any execution.
 *
 * What a plan implies (resets, each function's configuration after an update)
 * is computed once per plan from experiments/plan-queries.ts, the queries every
 * target uses.
 */
import { CAPABILITIES } from '../../experiments/capabilities';
import { configurationAfter, type FunctionConfiguration, INITIAL_GENERATION, initialConfiguration, updatedFunctions } from '../../experiments/plan-queries';
import type { PlanFunction, StudyPlan } from '../../experiments/plan-schema';
import { anchorInstant, isAnchoredWait } from '../contracts/anchored-waits';
import type { Deployment } from '../contracts/deployment';
import { DRIVER_EVENT_VERSION, type DescribeStepEvent } from '../contracts/driver-event';
import { type FailureAttribution, segmentOf, StepDirective, thenAfter, type UpdateDirective } from '../contracts/step-directive';
import { DriverRefusedError } from './errors';

interface UpdateFacts {
  fn: PlanFunction;
  config: FunctionConfiguration;
  memoryChanged: boolean;
  vcpu: number | null;
  generation: string;
}

interface PlanWalk {
  /** The resets before step 0 (index -resets.length + k). */
  resets: UpdateFacts[];
  /** Each update step's function and configuration after it, by plan step index. */
  updates: Map<number, UpdateFacts>;
}

const walks = new WeakMap<StudyPlan, PlanWalk>();

/** A run start as every real one is written (ISO 8601, UTC, ms): what synthesis measures directives with (an anchored wait's `until` has its length). */
export const MEASURING_RUN_STARTED_AT = '2026-12-06T00:00:00.000Z';

/** The functions an orchestrator resets before step 0: those update steps reconfigure, in order of first update. */
export function resetCount(plan: Pick<StudyPlan, 'steps'>): number {
  return updatedFunctions(plan).size;
}

function walkOf(plan: StudyPlan): PlanWalk {
  const cached = walks.get(plan);
  if (cached) return cached;
  const vcpuFor = CAPABILITIES[plan.provider].hosting[plan.hosting]?.vcpuForMemoryMb ?? null;
  const functions = new Map(plan.functions.map((f) => [f.key, f]));
  const fnOf = (key: string) => {
    const fn = functions.get(key);
    if (!fn) throw new DriverRefusedError(`the plan updates unknown function "${key}"`);
    return fn;
  };
  const resets = [...updatedFunctions(plan).entries()].map(([key, { memory }]): UpdateFacts => {
    const fn = fnOf(key);
    return { fn, config: initialConfiguration(fn), memoryChanged: memory, vcpu: fn.vcpu, generation: INITIAL_GENERATION };
  });
  const current = new Map(plan.functions.map((f) => [f.key, { config: initialConfiguration(f), vcpu: f.vcpu }]));
  const updates = new Map<number, UpdateFacts>();
  for (const step of plan.steps) {
    if (step.kind !== 'update') continue;
    const fn = fnOf(step.function);
    const before = current.get(fn.key)!;
    const config = configurationAfter(before.config, step);
    const memoryChanged = config.memoryMb !== before.config.memoryMb;
    const vcpu = memoryChanged && vcpuFor ? vcpuFor(config.memoryMb) : before.vcpu;
    current.set(fn.key, { config, vcpu });
    updates.set(step.index, { fn, config, memoryChanged, vcpu, generation: step.generation });
  }
  const walk = { resets, updates };
  walks.set(plan, walk);
  return walk;
}

/**
 * The directive for step `event.index` (validated against the plan by check-event.ts first), checked against its contract.
 * `runStartedAt`: the run's start (run.json startedAt), which an anchored wait's `until` counts from.
 */
export function describeStep(event: DescribeStepEvent, plan: StudyPlan, deployment: Deployment, runStartedAt: string): StepDirective {
  return StepDirective.parse(directiveFor(event, plan, deployment, runStartedAt));
}

/** The same without the contract check: what synthesis measures for every step of a long plan (bounds of a state's size). */
export function directiveFor(event: Pick<DescribeStepEvent, 'index' | 'run'>, plan: StudyPlan, deployment: Deployment, runStartedAt: string): StepDirective {
  const walk = walkOf(plan);
  const index = event.index;
  const stepCount = plan.steps.length;
  if (index < -walk.resets.length || index >= stepCount) {
    throw new DriverRefusedError(`index: the plan has steps ${-walk.resets.length}..${stepCount - 1} (resets below 0), not ${index}`);
  }
  const handOverAt = deployment.orchestration?.handOverAt ?? [];
  const then = thenAfter(index, stepCount, handOverAt);
  const next = index + 1;
  const nextSegment = segmentOf(next, handOverAt);
  const id = index < 0 ? `reset-${walk.resets[walk.resets.length + index]!.fn.key}` : plan.steps[index]!.id;
  const base = {
    v: DRIVER_EVENT_VERSION as typeof DRIVER_EVENT_VERSION,
    action: 'describe-step' as const,
    study: plan.study.id,
    run: event.run,
    index,
    id,
    then,
    next,
    segment: segmentOf(index, handOverAt),
    nextSegment,
    failure: { step: Math.max(index, -1), completed: Math.max(index, 0), where: id },
    nextFailure: nextFailureOf(then, next, nextSegment, stepCount),
  };

  if (index < 0) return { ...base, ...updateFields(walk.resets[walk.resets.length + index]!, true, deployment) };
  const step = plan.steps[index]!;
  switch (step.kind) {
    case 'burst':
      return { ...base, kind: 'burst', step, shards: Array.from({ length: step.shards }, (_, s) => s) };
    case 'wait': {
      const until = isAnchoredWait(step) ? anchoredUntil(anchorInstant(runStartedAt, step.untilSeconds)) : {};
      return { ...base, kind: 'wait', seconds: step.seconds, wholeSeconds: Math.ceil(step.seconds), ...until };
    }
    case 'update':
      return { ...base, ...updateFields(walk.updates.get(index)!, false, deployment) };
  }
}

/** An anchored wait's end, exact and rounded up to the whole second. */
function anchoredUntil(until: string): { until: string; untilWholeSecond: string } {
  const ms = Date.parse(until);
  return { until, untilWholeSecond: new Date(Math.ceil(ms / 1000) * 1000).toISOString() };
}

function nextFailureOf(then: ReturnType<typeof thenAfter>, next: number, nextSegment: number, stepCount: number): FailureAttribution {
  if (then === 'finish') return { step: -1, completed: stepCount, where: 'finish-run' };
  const completed = Math.max(next, 0);
  if (then === 'hand-over') return { step: next, completed, where: `hand-over to execution ${nextSegment + 1} at step ${next}` };
  return { step: Math.max(next, -1), completed, where: `describe-step ${next}` };
}

function updateFields(facts: UpdateFacts, reset: boolean, deployment: Deployment): Pick<UpdateDirective, 'kind' | 'reset' | 'function' | 'name' | 'tenant' | 'target' | 'role' | 'env' | 'memoryMb' | 'memoryChanged' | 'vcpu' | 'generation'> {
  const key = facts.fn.key;
  const target = deployment.targets[key];
  if (!target) throw new DriverRefusedError(`deployment.targets: no target for plan function ${key}`);
  const role = deployment.orchestration?.updateRoles?.[key];
  return {
    kind: 'update',
    reset,
    function: key,
    name: facts.fn.name,
    tenant: facts.fn.tenant,
    target,
    ...(role ? { role } : {}),
    env: sortedEnv(facts.config.env),
    memoryMb: facts.config.memoryMb,
    memoryChanged: facts.memoryChanged,
    vcpu: facts.vcpu,
    generation: facts.generation,
  };
}

/** Keys in order, so a directive's JSON is the same on every describe. */
function sortedEnv(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(env).sort().map((k) => [k, env[k]!]));
}
