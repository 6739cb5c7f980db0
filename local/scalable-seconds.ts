/**
 * The platform time of a plan that the local time scale compresses: its waits,
 * and the gaps between the sends of open-loop bursts (arrival processes), which
 * the driver spaces on the platform clock (probe-runtime/driver/burst/send-shard.ts).
 */
import { burstSendSpanMs, type StudyPlan } from '../experiments/plan-schema';

export function scalablePlatformSeconds(plan: Pick<StudyPlan, 'duration' | 'steps'>): number {
  let spans = 0;
  for (const step of plan.steps) if (step.kind === 'burst') spans += burstSendSpanMs(step) / 1000;
  return plan.duration.waitSeconds + spans;
}
