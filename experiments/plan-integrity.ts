/** Whether a plan still matches its own hash (a plan.json edited after it was planned does not). */
import { contentHash } from './canonical-json';
import type { StudyPlan } from './plan-schema';

export function planContentHash(plan: StudyPlan): string {
  const { hash: _recorded, ...content } = plan;
  return contentHash(content);
}
