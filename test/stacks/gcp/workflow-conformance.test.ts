/**
 * The generated Workflows source, parsed and run by a small evaluator of the
 * subset it uses (./workflows-evaluator.ts, through ./workflow-harness.ts:
 * the driver's own checks and describe-step, a fake Cloud Functions API, the
 * next execution started from the hand-over's argument), must issue exactly
 * the plan's steps in order, in one execution or many, record every failure
 * and close the run; its source does not grow with the plan, and every
 * execution stays within the steps the segmentation counted for it.
 */
import { parse } from 'yaml';
import { planStudy } from '../../../experiments/plan';
import type { StudyPlan } from '../../../experiments/plan-schema';
import { lifetime } from '../../../experiments/catalog/lifetime';
import { ORCHESTRATION_LIMITS } from '../../../experiments/capabilities';
import { compileWorkflow, EXECUTION_FIXED_STEPS, MAX_CARRIED_ARGUMENT_CHARS, stepsOfStep, WORKFLOW_LIMITS } from '../../../stacks/gcp/workflow/compile-workflow';
import { anchoredWaitsDefinition, catalogPlan, CONFORMANCE_STUDIES, everyStepKindDefinition, expectedTrace, RUN_STARTED_AT, toTrace } from '../../targets/orchestrator-trace';
import { checkParallelShared, checkWorkflowLimits, checkWorkflowSchema } from '../../conformance/gcp/workflows';
import { expectEachStepOnce } from '../../targets/recording-driver';
import { RUN, runWorkflowExecutions, type WorkflowFaults, type WorkflowRun } from './workflow-harness';

async function execute(plan: StudyPlan, options: { maxStepsPerSegment?: number } & WorkflowFaults = {}): Promise<WorkflowRun & { handOverAt: readonly number[] }> {
  const compiled = compileWorkflow(plan, { maxStepsPerSegment: options.maxStepsPerSegment });
  const handOverAt = compiled.segmentation.handOverAt;
  const run = await runWorkflowExecutions(plan, compiled.yaml, { handOverAt: [...handOverAt] }, options);
  return { ...run, handOverAt };
}

const lifetimePlan = (hours: number) =>
  planStudy(lifetime.build({ hours, intervalSeconds: 60, instances: 5, memoryMb: 128, holdMs: 250 }), { provider: 'gcp', budget: { maxUsd: 1000, maxInvocations: 10_000_000 } });

const last = (run: WorkflowRun) => run.executions.at(-1)!.result as { status: string; stepsCompleted: number; failures: { step: number; shard: number | null; message: string }[] };

describe('Workflows conformance: the generated YAML walks the plan', () => {
  it.each(CONFORMANCE_STUDIES)('%s issues exactly the plan steps in order', async (id) => {
    const plan = catalogPlan(id, 'gcp');
    const run = await execute(plan);
    expect(run.executions).toHaveLength(1);
    expect(toTrace(plan, RUN, run.actions)).toEqual(expectedTrace(plan, RUN));
    expect(run.executions[0]!.result).toEqual({ run: RUN, status: 'completed', stepsCompleted: plan.steps.length, failures: [] });
    expectEachStepOnce(plan, run.events, { resets: false });
  });

  it('covers multi-shard bursts with a shared barrier, env, refresh and memory updates, and fractional waits', async () => {
    const plan = planStudy(everyStepKindDefinition([256], 512), { provider: 'gcp' });
    expect(plan.steps.some((s) => s.kind === 'burst' && s.shards >= 3)).toBe(true);
    const run = await execute(plan);
    const trace = toTrace(plan, RUN, run.actions);
    expect(trace).toEqual(expectedTrace(plan, RUN));
    expect(trace.filter((t) => t.kind === 'update').map((t) => (t as { change: { kind: string } }).change.kind)).toEqual(expect.arrayContaining(['env', 'refresh', 'memory']));
    expect(run.slept).toBeCloseTo(90.5);
  });

  it('records a failed shard and a failed update, runs the remaining steps and closes the run as failed', async () => {
    const plan = planStudy(everyStepKindDefinition([256], 512), { provider: 'gcp' });
    const wide = plan.steps.find((s) => s.kind === 'burst' && s.shards >= 3)!;
    // The second update is a refresh: failing it changes no later request.
    const failedUpdate = plan.steps.filter((s) => s.kind === 'update')[1]!;
    expect(failedUpdate).toMatchObject({ change: { kind: 'refresh' } });
    const run = await execute(plan, { fail: (e) => (e.action === 'burst' && e.step.index === wide.index && e.shard === 1 ? new Error('driver shard died') : undefined), update: 1 });
    const trace = toTrace(plan, RUN, run.actions);
    const expected = expectedTrace(plan, RUN);
    // Every step was still issued (the failed update left no trace of a change)...
    expect(trace.slice(0, -1)).toEqual(expected.slice(0, -1).filter((t) => t !== expected.filter((e) => e.kind === 'update')[1]));
    // ...and the run closed with each failure attributed to its step and shard.
    expect(trace.at(-1)).toEqual({ kind: 'finish-run', status: 'failed', stepsCompleted: plan.steps.length - 2, failures: [{ step: wide.index, shard: 1 }, { step: failedUpdate.index, shard: null }] });
    expect(last(run)).toMatchObject({ status: 'failed', stepsCompleted: plan.steps.length - 2 });
  });

  it('skips the schedule but still closes the run when start-run fails', async () => {
    const plan = catalogPlan('coldstart', 'gcp');
    const run = await execute(plan, { fail: (e) => (e.action === 'start-run' ? new Error('bucket unreachable') : undefined) });
    expect(toTrace(plan, RUN, run.actions)).toEqual([
      { kind: 'start-run', run: RUN },
      { kind: 'finish-run', status: 'failed', stepsCompleted: 0, failures: [{ step: -1, shard: null }] },
    ]);
    expect(last(run)).toMatchObject({ status: 'failed' });
  });
});

describe('Workflows: runs split into executions (continue as new)', () => {
  it('at most 7 steps per execution: the driver sees exactly the plan\'s steps in order, once each, across hand-overs', async () => {
    const plan = planStudy(everyStepKindDefinition([256], 512), { provider: 'gcp' });
    const run = await execute(plan, { maxStepsPerSegment: 7 });
    expect(run.executions).toHaveLength(Math.ceil(plan.steps.length / 7));
    expect(toTrace(plan, RUN, run.actions)).toEqual(expectedTrace(plan, RUN));
    expectEachStepOnce(plan, run.events, { resets: false });
    run.executions.slice(0, -1).forEach((e, i) => {
      expect(e.result).toMatchObject({ run: RUN, status: 'handed-over', next: 7 * (i + 1) });
      expect(run.executions[i + 1]!.args).toEqual({ run: RUN, next: 7 * (i + 1), segment: i + 1, stepsCompleted: 7 * (i + 1), failures: [] });
    });
    expect(last(run)).toEqual({ run: RUN, status: 'completed', stepsCompleted: plan.steps.length, failures: [] });
    // Only the first execution starts the run; only the last one closes it.
    expect(run.events.filter((e) => e.action === 'start-run')).toHaveLength(1);
  });

  it('hands over right after an update and in the middle of a repeat', async () => {
    const plan = catalogPlan('update-consistency', 'gcp');
    const update = plan.steps.filter((s) => s.kind === 'update')[1]!;
    const run = await execute(plan, { maxStepsPerSegment: update.index + 1 });
    expect(run.handOverAt).toContain(update.index + 1);
    const updates = plan.steps.filter((s) => s.kind === 'update').map((s) => s.index);
    expect(run.handOverAt.some((at) => !updates.includes(at - 1) && at > updates[1]! + 1)).toBe(true);
    expect(toTrace(plan, RUN, run.actions)).toEqual(expectedTrace(plan, RUN));
    expectEachStepOnce(plan, run.events, { resets: false });
  });

  it('carries failures across hand-overs into the run\'s finish-run', async () => {
    const plan = catalogPlan('update-consistency', 'gcp');
    const early = plan.steps.filter((s) => s.kind === 'burst')[1]!;
    const run = await execute(plan, { maxStepsPerSegment: 7, fail: (e) => (e.action === 'burst' && e.step.index === early.index ? new Error('driver died') : undefined) });
    expect(run.executions.length).toBeGreaterThan(3);
    expect(last(run)).toMatchObject({ status: 'failed', stepsCompleted: plan.steps.length - 1, failures: [{ step: early.index, shard: 0 }] });
    const trace = toTrace(plan, RUN, run.actions);
    expect(trace.at(-1)).toEqual({ kind: 'finish-run', status: 'failed', stepsCompleted: plan.steps.length - 1, failures: [{ step: early.index, shard: 0 }] });
  });

  it('a hand-over that fails closes the run as failed at the step it could not start', async () => {
    const plan = catalogPlan('update-consistency', 'gcp');
    const run = await execute(plan, { maxStepsPerSegment: 7, handOverAt: 14 });
    expect(run.executions).toHaveLength(2);
    expect(last(run)).toMatchObject({ status: 'failed', stepsCompleted: 14, failures: [{ step: 14, shard: null, message: expect.stringContaining('429') }] });
    expect(run.events.filter((e) => e.action === 'finish-run')).toHaveLength(1);
  });

  it('stops at the hand-over, as failed, when the failures no longer fit the next execution\'s argument', async () => {
    // Three hours of lifetime: 180 bursts, every one failing, 300 steps in the first execution.
    const plan = lifetimePlan(3);
    const run = await execute(plan, { maxStepsPerSegment: 300, fail: (e) => (e.action === 'burst' ? new Error('driver died') : undefined) });
    const result = last(run);
    expect(result.status).toBe('failed');
    const stop = result.failures.at(-1)!;
    expect(stop.message).toMatch(/no longer fit the next execution's argument/);
    expect(run.executions).toHaveLength(1);
    expect(JSON.stringify(result.failures.slice(0, -1)).length).toBeGreaterThan(MAX_CARRIED_ARGUMENT_CHARS);
    expect(run.events.filter((e) => e.action === 'describe-step').length).toBe(stop.step);
  });

  it('every execution runs no more workflow steps than the segmentation counted for it', async () => {
    const plan = planStudy(everyStepKindDefinition([256], 512), { provider: 'gcp' });
    const compiled = compileWorkflow(plan, { maxStepsPerSegment: 7 });
    const run = await runWorkflowExecutions(plan, compiled.yaml, { handOverAt: [...compiled.segmentation.handOverAt] });
    run.executions.forEach((e, i) => {
      expect(e.steps).toBeLessThanOrEqual(compiled.segmentation.segments[i]!.units);
      // Between two describes: the earlier step's own steps.
      for (let k = 0; k + 1 < e.describedAtStep.length; k++) {
        const { index, steps } = e.describedAtStep[k]!;
        expect(e.describedAtStep[k + 1]!.steps - steps).toBeLessThanOrEqual(stepsOfStep(plan.steps[index]!).bound);
      }
      expect(e.describedAtStep[0]!.steps).toBeLessThanOrEqual(EXECUTION_FIXED_STEPS.bound);
    });
  });
});

describe('Workflows: waits anchored to the run\'s start (sys.sleep_until)', () => {
  const plan = planStudy(anchoredWaitsDefinition(), { provider: 'gcp' });
  const anchored = plan.steps.filter((s) => s.kind === 'wait' && s.untilSeconds !== undefined);

  it('the source passes the Workflows JSON Schema, the shared-variable rule and the limits; plans without anchored waits do not get the branch', () => {
    const { yaml } = compileWorkflow(plan);
    expect([...checkWorkflowSchema('anchored', yaml), ...checkParallelShared('anchored', yaml), ...checkWorkflowLimits('anchored', yaml)]).toEqual([]);
    expect(yaml).toContain('sys.sleep_until');
    expect(compileWorkflow(catalogPlan('idle-recycling', 'gcp')).yaml).not.toContain('sys.sleep_until');
  });

  it('sleeps until each anchor the driver gives, in every execution, and each execution runs no more steps than counted', async () => {
    const compiled = compileWorkflow(plan, { maxStepsPerSegment: 4 });
    const run = await runWorkflowExecutions(plan, compiled.yaml, { handOverAt: [...compiled.segmentation.handOverAt] });
    expect(run.executions.length).toBeGreaterThan(2);
    expect(toTrace(plan, RUN, run.actions)).toEqual(expectedTrace(plan, RUN));
    expect(run.actions.filter((a) => a.kind === 'wait-until')).toHaveLength(anchored.length);
    run.executions.forEach((e, i) => {
      expect(e.steps).toBeLessThanOrEqual(compiled.segmentation.segments[i]!.units);
      for (let k = 0; k + 1 < e.describedAtStep.length; k++) {
        const { index, steps } = e.describedAtStep[k]!;
        expect(e.describedAtStep[k + 1]!.steps - steps).toBeLessThanOrEqual(stepsOfStep(plan.steps[index]!).bound);
      }
    });
  });

  it('an anchor that has passed ends the wait at once (no sys.sleep_until with a past time); plain waits still sleep', async () => {
    // The run started a day before the harness clock: every anchor is behind it.
    const dayBefore = new Date(Date.parse(RUN_STARTED_AT) - 86_400_000).toISOString();
    const run = await execute(plan, { runStartedAt: dayBefore });
    expect(run.actions.filter((a) => a.kind === 'wait-until')).toEqual([]);
    expect(toTrace(plan, RUN, run.actions)).toEqual(expectedTrace(plan, RUN).filter((t) => t.kind !== 'wait-until'));
    expect(run.actions.filter((a) => a.kind === 'wait')).toEqual([{ kind: 'wait', seconds: 2 }]);
  });

  it('an anchored wait bounds its execution from the anchor before it, not by its planned seconds', () => {
    const compiled = compileWorkflow(plan);
    const planned = compileWorkflow({ ...plan, steps: plan.steps.map((s) => (s.kind === 'wait' ? { ...s, untilSeconds: undefined } : s)) });
    // The first anchored waits are planned shorter than their bound (the bursts before them are expected to take time).
    expect(compiled.segmentation.segments[0]!.boundSeconds).toBeGreaterThan(planned.segmentation.segments[0]!.boundSeconds);
  });
});

describe('Workflows source', () => {
  it('does not grow with the plan: lifetime at 1 h and 168 h differ by less than 10 %, and the source names no step', () => {
    const [short, long] = [lifetimePlan(1), lifetimePlan(168)];
    const [a, b] = [compileWorkflow(short), compileWorkflow(long)];
    expect(Math.abs(Buffer.byteLength(b.yaml) - Buffer.byteLength(a.yaml)) / Buffer.byteLength(a.yaml)).toBeLessThan(0.1);
    expect(Buffer.byteLength(b.yaml)).toBeLessThan(WORKFLOW_LIMITS.sourceBytes / 10);
    for (const step of long.steps.slice(0, 50)) expect(b.yaml).not.toContain(step.id);
    expect(b.segmentation.segments.length).toBeGreaterThan(1);
    for (const s of b.segmentation.segments) expect(s.units).toBeLessThanOrEqual(0.9 * ORCHESTRATION_LIMITS.gcp.stepsPerExecution.value);
  });

  it('parallel branches assign only their own variables and the shared `failures` (a deployment error otherwise)', () => {
    const yaml = compileWorkflow(catalogPlan('scalability', 'gcp')).yaml;
    const main = (parse(yaml) as { main: { steps: unknown[] } }).main;
    const assigned = (node: unknown, into: Set<string>): Set<string> => {
      if (Array.isArray(node)) node.forEach((n) => assigned(n, into));
      else if (node && typeof node === 'object') {
        for (const [k, v] of Object.entries(node)) {
          if (k === 'assign') for (const a of v as Record<string, unknown>[]) into.add(Object.keys(a)[0]!.split(/[.[]/)[0]!);
          else if (k === 'as' || k === 'result' || k === 'value') into.add(String(v));
          if (k !== 'parallel') assigned(v, into);
        }
      }
      return into;
    };
    const parallels: Record<string, unknown>[] = [];
    const find = (node: unknown) => {
      if (Array.isArray(node)) node.forEach(find);
      else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) (k === 'parallel' ? parallels.push(v as Record<string, unknown>) : find(v));
    };
    find(main.steps);
    expect(parallels).toHaveLength(1);
    const outside = assigned(main.steps, new Set(['args']));
    const inside = assigned((parallels[0]!.for as { steps: unknown }).steps, new Set());
    const shared = new Set(parallels[0]!.shared as string[]);
    expect([...inside].filter((v) => outside.has(v) && !shared.has(v) && v !== 'shard')).toEqual([]);
    expect(inside.has('failures') && shared.has('failures')).toBe(true);
  });
});
