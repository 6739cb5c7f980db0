/**
 * Small real plans for driver tests, compiled by planStudy from a definition
 * (so they are exactly what the planner emits), plus `withBurst` to tighten a
 * burst's knobs (timeouts of a few hundred ms keep tests fast) and re-hash.
 */
import { contentHash } from '../../../../experiments/canonical-json';
import { planStudy } from '../../../../experiments/plan';
import type { BurstStep, StudyPlan } from '../../../../experiments/plan-schema';
import type { StudyDefinitionInput } from '../../../../experiments/schema';
import type { ProviderId } from '../../../../probe-runtime/contracts/providers';
import { validDefinition } from '../../../experiments/fixtures';

/** The study layer's small test definition, with the schedule and functions the driver tests need. */
export function testDefinition(schedule: StudyDefinitionInput['schedule'], memoryMb: number[] = [128, 256]): StudyDefinitionInput {
  return {
    ...validDefinition(),
    id: 'drivertest',
    functions: { memoryMb, timeoutSeconds: 1 },
    schedule,
    claims: [],
    budget: { maxInvocations: 100_000, maxUsd: 100 },
    adapt: { memory: 'refuse' },
  };
}

/** One burst of `requestsPerTarget` to each of two functions, then a wait, then a second burst. */
export function testPlan(burst: Record<string, unknown> = {}, provider: ProviderId = 'local'): StudyPlan {
  return planStudy(
    testDefinition([
      { kind: 'burst', label: 'cold', requestsPerTarget: 5, ...burst },
      { kind: 'wait', seconds: 1 },
      { kind: 'burst', label: 'warm', requestsPerTarget: 1 },
    ]),
    { provider },
  );
}

/** The plan with step `index` (a burst) changed, and its hash recomputed as the planner would. */
export function withBurst(plan: StudyPlan, index: number, change: Partial<BurstStep>): StudyPlan {
  const steps = plan.steps.map((s) => (s.index === index && s.kind === 'burst' ? { ...s, ...change } : s));
  const { hash: _old, ...rest } = { ...plan, steps };
  return { ...rest, hash: contentHash(rest) };
}

export function rehash(plan: StudyPlan): StudyPlan {
  const { hash: _old, ...rest } = plan;
  return { ...rest, hash: contentHash(rest) };
}

export function burstStep(plan: StudyPlan, index = 0): BurstStep {
  const step = plan.steps[index];
  if (!step || step.kind !== 'burst') throw new Error(`step ${index} is not a burst`);
  return step;
}
