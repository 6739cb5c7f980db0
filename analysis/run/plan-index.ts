/**
 * Lookups into a StudyPlan that the loader and the analyses need per record:
 * the burst step of a record, the function it addressed, and the configuration
 * generation and memory a function had at a given step (update steps change them).
 */
import type { BurstStep, PlanFunction, StudyPlan } from '../../experiments/plan-schema';

export class PlanIndex {
  readonly functions = new Map<string, PlanFunction>();
  private readonly bursts = new Map<number, BurstStep>();
  /** Per function: update steps in plan order with the generation and memory they leave. */
  private readonly updates = new Map<string, { step: number; generation: string; memoryMb: number | null }[]>();

  constructor(readonly plan: StudyPlan) {
    for (const f of plan.functions) this.functions.set(f.key, f);
    for (const step of plan.steps) {
      if (step.kind === 'burst') {
        this.bursts.set(step.index, step);
      } else if (step.kind === 'update') {
        const list = this.updates.get(step.function) ?? [];
        list.push({ step: step.index, generation: step.generation, memoryMb: step.change.kind === 'memory' ? step.change.memoryMb : null });
        this.updates.set(step.function, list);
      }
    }
  }

  burst(step: number): BurstStep | undefined {
    return this.bursts.get(step);
  }

  burstSteps(): BurstStep[] {
    return [...this.bursts.values()];
  }

  /** The generation a function should report when invoked during `step` (after every earlier update). */
  generationAt(functionKey: string, step: number): string | null {
    let generation = this.functions.get(functionKey)?.env.CURTAIN_GENERATION ?? null;
    for (const u of this.updates.get(functionKey) ?? []) if (u.step < step) generation = u.generation;
    return generation;
  }

  /** The index of the last update of `functionKey` before `step`, or null. */
  lastUpdateBefore(functionKey: string, step: number): number | null {
    let last: number | null = null;
    for (const u of this.updates.get(functionKey) ?? []) if (u.step < step) last = u.step;
    return last;
  }

  /** Memory configured for a function at `step`, following memory updates. */
  memoryAt(functionKey: string, step: number): number | null {
    let memory = this.functions.get(functionKey)?.memoryMb ?? null;
    for (const u of this.updates.get(functionKey) ?? []) if (u.step < step && u.memoryMb !== null) memory = u.memoryMb;
    return memory;
  }
}
