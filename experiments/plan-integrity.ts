/**
 * A plan's `hash` is the sha256 of the canonical JSON of everything else in it
 * (plan.ts). A plan file edited after it was made keeps its old hash but no
 * longer matches it: every reader of a run checks this before trusting the plan.
 */
import { contentHash } from './canonical-json';
import type { StudyPlan } from './plan-schema';

/** Whether the plan's content still hashes to its recorded `hash`. */
export function planMatchesItsHash(plan: StudyPlan): boolean {
  const { hash, ...content } = plan;
  return contentHash(content) === hash;
}

export function planIntegrityProblem(plan: StudyPlan): string | null {
  return planMatchesItsHash(plan)
    ? null
    : `its content does not match its hash ${plan.hash.slice(0, 12)}… (it was edited after the run): refused, since records would be judged against a plan that did not run`;
}
