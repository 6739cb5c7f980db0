/**
 * Plans of up to MAX_PLAN_STEPS (20,000) steps are valid plans: step ids get a
 * fifth digit from index 10,000 on (found by the conformance suite: update-
 * consistency at large parameters failed plan validation with a zod error).
 */
import { MAX_PLAN_STEPS } from '../../experiments/expand-schedule';
import { planStudy } from '../../experiments/plan';
import { buildCatalogStudy } from '../../experiments/resolve-study';

test('a plan with more than 10,000 steps validates, its step ids count on with five digits', () => {
  // 1 + rounds × (update + burstsAfter × (wait + burst)) steps
  const plan = planStudy(buildCatalogStudy('update-consistency', { rounds: 100, burstsAfter: 60 }), { provider: 'local', budget: { maxUsd: 1e9, maxInvocations: 1e12 } });
  expect(plan.steps.length).toBeGreaterThan(10_000);
  expect(plan.steps.length).toBeLessThanOrEqual(MAX_PLAN_STEPS);
  expect(plan.steps[10_000]!.id).toMatch(/^10000-/);
});
