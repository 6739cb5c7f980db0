/**
 * How many instances a plan can ask of one function at once: for each burst,
 * the requests addressed to the function (request r goes to
 * targets[r % targets.length]) bounded by the burst's concurrency. Stacks set
 * each function's maximum instance count to this, so the platform never caps a
 * study below what it asks for, and never scales beyond it.
 */
import type { StudyPlan } from './plan-schema';

export function peakDemand(plan: StudyPlan, functionKey: string): number {
  let peak = 1;
  for (const step of plan.steps) {
    if (step.kind !== 'burst') continue;
    const slot = step.targets.indexOf(functionKey);
    if (slot < 0) continue;
    const n = step.targets.length;
    const addressed = Math.floor(step.requests / n) + (slot < step.requests % n ? 1 : 0);
    peak = Math.max(peak, Math.min(addressed, step.concurrency));
  }
  return peak;
}

/** The most shards any burst of the plan runs at once (driver instances needed in parallel). */
export function peakShards(plan: StudyPlan): number {
  return Math.max(1, ...plan.steps.map((s) => (s.kind === 'burst' ? s.shards : 1)));
}
