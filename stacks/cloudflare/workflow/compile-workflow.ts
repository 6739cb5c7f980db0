/**
 * What the `CurtainRun` Workflow (probe-runtime/driver/cloudflare-workflow/)
 * needs of a plan: it walks plan.json itself, so the plan is the definition;
 * this checks the plan against Workflows' and Workers' documented limits
 * (CLOUD_LIMITS.cloudflare) before anything is deployed.
 */
import { CLOUD_LIMITS, describeLimit, ORCHESTRATION_LIMITS } from '../../../experiments/capabilities';
import type { StudyPlan } from '../../../experiments/plan-schema';
import { TargetRefusedError } from '../../../targets/target-errors';

/** Steps one instance runs: start-run, per burst a start stamp and one per shard, a sleep per wait, one per update, finish-run. */
export function workflowStepCount(plan: Pick<StudyPlan, 'steps'>): number {
  return 2 + plan.steps.reduce((n, s) => n + (s.kind === 'burst' ? 1 + s.shards : 1), 0);
}

export function vetWorkflowPlan(plan: StudyPlan): void {
  const limits = ORCHESTRATION_LIMITS.cloudflare;
  const steps = workflowStepCount(plan);
  if (steps > limits.stepsPerInstance.value) {
    throw new TargetRefusedError(`${plan.study.id}: the Workflow would run ${steps} steps; ${describeLimit(limits.stepsPerInstance)}`);
  }
  const longWait = plan.steps.find((s) => s.kind === 'wait' && s.seconds > limits.sleepSeconds.value);
  if (longWait) throw new TargetRefusedError(`${plan.study.id}: step ${longWait.index} waits longer than ${describeLimit(limits.sleepSeconds)}`);
  const memory = plan.steps.find((s) => s.kind === 'update' && s.change.kind === 'memory');
  if (memory) throw new TargetRefusedError(`${plan.study.id}: step ${memory.index} changes memory; ${describeLimit(CLOUD_LIMITS.cloudflare.memoryMbPerIsolate)}`);
}
