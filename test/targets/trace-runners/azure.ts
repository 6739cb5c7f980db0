/**
 * Runs the Durable Functions orchestrator with a fake `context.df` through
 * test/stacks/azure/durable-harness.ts (the Durable runtime as the
 * orchestrator sees it, continue-as-new included; driver activities through
 * the driver's own checks) and records what it asked for, in order.
 */
import type { StudyPlan } from '../../../experiments/plan-schema';
import { driveDurable } from '../../stacks/azure/durable-harness';
import type { TraceRunner } from './trace-runner';

export const durableTraceRunner: TraceRunner = {
  // The orchestrator walks the plan the driver app carries (CompiledOrchestrator format `plan`).
  run: async (_plan, compiled) => {
    const handOverAt = compiled.segmentation?.handOverAt ?? [];
    const run = driveDurable(compiled.definition as StudyPlan, handOverAt);
    if (run.executions.length !== handOverAt.length + 1) throw new Error(`${run.executions.length} executions for ${handOverAt.length + 1} segments`);
    return run.actions;
  },
};
