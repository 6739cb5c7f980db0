/** Whether a plan still matches its own hash (a plan.json edited after it was planned does not). */
import { contentHash } from './canonical-json';
import type { StudyPlan } from './plan-schema';

export function planContentHash(plan: StudyPlan): string {
  const { hash: _recorded, ...content } = plan;
  return contentHash(content);
}

/**
 * Why a run's plan cannot be trusted, or null: every reader of a run (report, compare, close,
 * resume) refuses a plan.json that no longer matches its hash, since its records would be judged
 * against a plan that did not run.
 */
export function planIntegrityProblem(plan: StudyPlan): string | null {
  return planContentHash(plan) === plan.hash
    ? null
    : `its content does not match its hash ${plan.hash.slice(0, 12)}… (it was edited after the run): refused, since records would be judged against a plan that did not run`;
}
