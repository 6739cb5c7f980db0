/**
 * What each update step of a plan leaves its function with.
 *
 * The Cloud Functions API replaces a function's whole environment map when it
 * is patched, so an update must send the complete environment, not just the
 * changed variable. This walks the plan once and records, for every update
 * step, the function's full environment and memory after the step.
 */
import { gcpVcpuForMemoryMb } from '../../../experiments/capabilities';
import type { PlanFunction, StudyPlan, UpdateStep } from '../../../experiments/plan-schema';

export interface FunctionState {
  env: Record<string, string>;
  memoryMb: number;
  /** vCPUs Cloud Run gives this memory size by default (gen2 sets memory and CPU together). */
  vcpu: number;
}

export interface ResolvedUpdate {
  step: UpdateStep;
  fn: PlanFunction;
  after: FunctionState;
  /** Whether memory (and so CPU) changes, not just the environment. */
  memoryChanged: boolean;
}

export function resolveUpdates(plan: StudyPlan): ResolvedUpdate[] {
  const state = new Map<string, FunctionState>();
  for (const fn of plan.functions) {
    state.set(fn.key, { env: { ...fn.env }, memoryMb: fn.memoryMb, vcpu: fn.vcpu ?? gcpVcpuForMemoryMb(fn.memoryMb) });
  }
  const out: ResolvedUpdate[] = [];
  for (const step of plan.steps) {
    if (step.kind !== 'update') continue;
    const fn = plan.functions.find((f) => f.key === step.function);
    const current = state.get(step.function);
    if (!fn || !current) throw new Error(`plan step ${step.id} updates unknown function "${step.function}"`);
    const env: Record<string, string> = { ...current.env, CURTAIN_GENERATION: step.generation };
    let memoryMb = current.memoryMb;
    if (step.change.kind === 'env') env[step.change.name] = step.change.value;
    if (step.change.kind === 'memory') memoryMb = step.change.memoryMb;
    const after: FunctionState = { env, memoryMb, vcpu: memoryMb === current.memoryMb ? current.vcpu : gcpVcpuForMemoryMb(memoryMb) };
    out.push({ step, fn, after, memoryChanged: memoryMb !== current.memoryMb });
    state.set(step.function, after);
  }
  return out;
}
