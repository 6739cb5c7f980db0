/**
 * How long each plan step is expected to take on a provider: the plan's
 * duration estimate, and the planned clock the schedule compiler uses to anchor
 * waits to the run's start (`untilSeconds`, repeats with `every`, arrival chunks).
 */
import { taskExpectedDurationMs } from '../probe-runtime/contracts/task';
import { CAPABILITIES } from './capabilities';
import { COST_ASSUMPTIONS } from './cost';
import { burstSendSpanMs, type PlanStep } from './plan-schema';
import type { ProviderId } from './schema';

/**
 * Expected seconds of one step: a wait's length, an update's settling, a burst's barrier, send span
 * (an open-loop burst lasts at least as long as its last send offset) and waves. An update without a
 * plan step is a reset before the first step.
 */
export function plannedStepSeconds(provider: ProviderId, step: PlanStep | { kind: 'update' }): number {
  if (step.kind === 'wait') return step.seconds;
  if (step.kind === 'update') return CAPABILITIES[provider].updateSettleSeconds;
  const waves = Math.ceil(step.requestsPerShard / step.shardConcurrency);
  return (step.barrierMs + burstSendSpanMs(step) + waves * (taskExpectedDurationMs(step.task) + COST_ASSUMPTIONS.requestLatencyMs)) / 1000 + 1;
}
