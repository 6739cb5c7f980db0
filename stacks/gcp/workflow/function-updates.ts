/**
 * What each update step of a plan leaves its function with, for the Cloud
 * Functions API: its whole environment (a patch replaces the environment map,
 * so an update must send all of it), memory and CPU. The configurations come
 * from the plan (experiments/plan-queries.ts); this adds what Google couples to
 * memory: the vCPUs Cloud Run gives a memory size by default.
 */
import { gcpVcpuForMemoryMb } from '../../../experiments/capabilities';
import { type FunctionConfiguration, resolveUpdates as resolvePlanUpdates } from '../../../experiments/plan-queries';
import type { PlanFunction, StudyPlan, UpdateStep } from '../../../experiments/plan-schema';

export interface FunctionState extends FunctionConfiguration {
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
  const vcpu = new Map(plan.functions.map((f) => [f.key, f.vcpu ?? gcpVcpuForMemoryMb(f.memoryMb)]));
  return resolvePlanUpdates(plan).map(({ step, fn, before, after }) => {
    const memoryChanged = after.memoryMb !== before.memoryMb;
    if (memoryChanged) vcpu.set(fn.key, gcpVcpuForMemoryMb(after.memoryMb));
    return { step, fn, after: { ...after, vcpu: vcpu.get(fn.key)! }, memoryChanged };
  });
}
