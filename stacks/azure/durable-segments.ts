/**
 * How a run is split into executions of the Durable orchestrator
 * (probe-runtime/driver/azure-durable/orchestrate-run.ts), which continues as
 * new at each boundary. Durable Functions sets no hard history limit; it
 * replays the whole history at every step and advises continue-as-new for
 * long orchestrations, so each execution is held to Curtain's budget of
 * history events (experiments/orchestration-limits.ts).
 *
 * History events, as the Durable Task framework records them:
 *   execution    ExecutionStarted + ExecutionCompleted or ContinuedAsNew = 2
 *   activity     TaskScheduled + TaskCompleted/TaskFailed = 2
 *   timer        TimerCreated + TimerFired = 2
 *   each time the orchestrator wakes   OrchestratorStarted + OrchestratorCompleted = 2
 * A burst's shards are scheduled together; their completions may wake the
 * orchestrator once each (bound) or once for all (typical).
 */
import { plannedStepSeconds } from '../../experiments/planned-duration';
import type { PlanStep, StudyPlan } from '../../experiments/plan-schema';
import { ORCHESTRATION_LIMITS } from '../../experiments/capabilities';
import { segmentSteps, type Segmentation, type SegmentationOptions } from '../../targets/segmentation';

const ACTIVITY = 2;
const TIMER = 2;
const WAKE = 2;

/** Fraction of the budget a segment is planned to use. */
const SEGMENT_HEADROOM = 0.9;

/** History events of one plan step: typical (a fan-out completes together) and bound (each shard wakes the orchestrator). */
export function durableStepEvents(step: PlanStep): { typical: number; bound: number } {
  switch (step.kind) {
    case 'burst':
      return { typical: step.shards * ACTIVITY + WAKE, bound: step.shards * (ACTIVITY + WAKE) };
    case 'wait':
      return { typical: TIMER + WAKE, bound: TIMER + WAKE };
    case 'update':
      return { typical: ACTIVITY + WAKE, bound: ACTIVITY + WAKE };
  }
}

/** Every execution: itself, its first wake, start-run (the first only) and finish-run. */
export const DURABLE_EXECUTION_EVENTS = 2 + WAKE + 2 * (ACTIVITY + WAKE);

export function durableSegmentation(plan: StudyPlan, options: SegmentationOptions = {}): Segmentation {
  const items = plan.steps.map((step) => {
    const events = durableStepEvents(step);
    return {
      index: step.index,
      id: step.id,
      units: events.bound,
      typicalUnits: events.typical,
      // Durable timers and activities have no execution-wide time limit.
      boundSeconds: 0,
      expectedSeconds: plannedStepSeconds(plan.provider, step),
    };
  });
  return segmentSteps(
    plan.study.id,
    items,
    {
      engine: 'Azure Durable Functions',
      units: ORCHESTRATION_LIMITS.azure.historyEvents,
      headroom: SEGMENT_HEADROOM,
      fixed: { units: DURABLE_EXECUTION_EVENTS, typicalUnits: DURABLE_EXECUTION_EVENTS, boundSeconds: 0 },
    },
    options,
  );
}
