/**
 * The generated Workflows source, parsed and run by a small evaluator of the
 * subset it uses (./workflows-evaluator.ts: there is no Workflows emulator to
 * install), must issue exactly the plan's steps in order, and record failures.
 * The trace over every catalog conformance study runs for every target in
 * test/targets/orchestrator-conformance.test.ts.
 */
import { planStudy } from '../../../experiments/plan';
import type { StudyPlan } from '../../../experiments/plan-schema';
import { compileWorkflow, WORKFLOW_LIMITS, WorkflowTooLargeError } from '../../../stacks/gcp/workflow/compile-workflow';
import { catalogPlan, CONFORMANCE_STUDIES, everyStepKindDefinition, expectedTrace, toTrace, TRACE_RUN as RUN } from '../../targets/orchestrator-trace';
import { executeWorkflow as execute } from '../../targets/trace-runners/gcp';

describe('Workflows conformance: the generated YAML walks the plan', () => {
  it.each(CONFORMANCE_STUDIES)('%s issues exactly the plan steps in order', async (id) => {
    const plan = catalogPlan(id, 'gcp');
    const { result, actions } = await execute(plan);
    expect(toTrace(plan, RUN, actions)).toEqual(expectedTrace(plan, RUN));
    expect(result).toEqual({ run: RUN, status: 'completed', stepsCompleted: plan.steps.length, failures: [] });
  });

  it('covers multi-shard bursts with a shared barrier, env, refresh and memory updates, and fractional waits', async () => {
    const plan = planStudy(everyStepKindDefinition([256], 512), { provider: 'gcp' });
    expect(plan.steps.some((s) => s.kind === 'burst' && s.shards >= 3)).toBe(true);
    const { actions, slept } = await execute(plan);
    const trace = toTrace(plan, RUN, actions);
    expect(trace).toEqual(expectedTrace(plan, RUN));
    expect(trace.filter((t) => t.kind === 'update').map((t) => (t as { change: { kind: string } }).change.kind)).toEqual(
      expect.arrayContaining(['env', 'refresh', 'memory']),
    );
    expect(slept).toBeCloseTo(90.5);
  });

  it('records a failed shard and a failed update, runs the remaining steps and closes the run as failed', async () => {
    const plan = planStudy(everyStepKindDefinition([256], 512), { provider: 'gcp' });
    const wide = plan.steps.find((s) => s.kind === 'burst' && s.shards >= 3)!;
    // The second update is a refresh: failing it changes no later request.
    const failedUpdate = plan.steps.filter((s) => s.kind === 'update')[1]!;
    expect(failedUpdate).toMatchObject({ change: { kind: 'refresh' } });
    const { result, actions } = await execute(plan, {
      driver: (body) => body.action === 'burst' && (body.step as { index: number }).index === wide.index && body.shard === 1,
      update: 1,
    });
    const trace = toTrace(plan, RUN, actions);
    const expected = expectedTrace(plan, RUN);
    // Every step was still issued (the failed update left no trace of a change)...
    expect(trace.slice(0, -1)).toEqual(expected.slice(0, -1).filter((t) => t !== expected.filter((e) => e.kind === 'update')[1]));
    // ...and the run closed with each failure attributed to its step and shard.
    const failures = [
      { step: wide.index, shard: 1 },
      { step: failedUpdate.index, shard: null },
    ];
    expect(trace.at(-1)).toEqual({ kind: 'finish-run', status: 'failed', stepsCompleted: plan.steps.length - 2, failures });
    expect(result).toMatchObject({ status: 'failed', stepsCompleted: plan.steps.length - 2 });
  });

  it('skips the schedule but still closes the run when start-run fails', async () => {
    const plan = catalogPlan('coldstart', 'gcp');
    const { actions, result } = await execute(plan, { driver: (body) => body.action === 'start-run' });
    expect(toTrace(plan, RUN, actions)).toEqual([
      { kind: 'start-run', run: RUN },
      { kind: 'finish-run', status: 'failed', stepsCompleted: 0, failures: [{ step: -1, shard: null }] },
    ]);
    expect(result).toMatchObject({ status: 'failed' });
  });

  it('fits the longest catalog study in the source limit and refuses a schedule that does not fit', () => {
    const lifetime = catalogPlan('lifetime', 'gcp');
    const compiled = compileWorkflow(lifetime);
    expect(Buffer.byteLength(compiled.yaml)).toBeLessThanOrEqual(WORKFLOW_LIMITS.sourceBytes);
    expect(compiled.schedule).toHaveLength(lifetime.steps.length);
    // Twice the steps no longer fits: the compiler says so instead of deploying a broken workflow.
    const doubled = { ...lifetime, steps: [...lifetime.steps, ...lifetime.steps.map((s) => ({ ...s, index: s.index + lifetime.steps.length }))] };
    expect(() => compileWorkflow(doubled as StudyPlan)).toThrow(WorkflowTooLargeError);
  });

  it('deduplicates identical bursts into templates the loop restores exactly', () => {
    const plan = catalogPlan('lifetime', 'gcp');
    const { bursts, schedule } = compileWorkflow(plan);
    expect(Object.keys(bursts).length).toBeLessThan(5);
    expect(schedule.filter((e) => e.kind === 'burst')).toHaveLength(plan.steps.filter((s) => s.kind === 'burst').length);
  });
});
