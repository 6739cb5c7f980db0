/**
 * Runs the generated Workflows source in the evaluator of the subset it uses
 * through test/stacks/gcp/workflow-harness.ts (the driver's own checks and
 * describe-step, the Cloud Functions connector faked, the next execution
 * started at each hand-over) and records what the workflow asked for, across
 * its executions, in order.
 */
import { runWorkflowExecutions } from '../../stacks/gcp/workflow-harness';
import type { TraceRunner } from './trace-runner';

export const workflowsTraceRunner: TraceRunner = {
  async run(plan, compiled) {
    const handOverAt = compiled.segmentation?.handOverAt ?? [];
    const run = await runWorkflowExecutions(plan, compiled.definition as string, { handOverAt: [...handOverAt] });
    if (run.executions.length !== handOverAt.length + 1) throw new Error(`${run.executions.length} executions for ${handOverAt.length + 1} segments`);
    return run.actions;
  },
};
