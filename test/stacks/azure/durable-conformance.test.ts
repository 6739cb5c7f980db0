/**
 * The Durable Functions orchestrator, driven by a fake `context.df` that
 * behaves like the Durable runtime from the orchestrator's point of view
 * (./durable-harness.ts: tasks, thrown failures, timers on the orchestration
 * clock, continue-as-new with an empty history), must issue exactly the
 * plan's steps in order, in one execution or many, record failures and close
 * the run; each execution stays within the history events counted for it.
 */
import { lifetime } from '../../../experiments/catalog/lifetime';
import { planStudy } from '../../../experiments/plan';
import type { BurstStep } from '../../../experiments/plan-schema';
import { ACTIVITY } from '../../../probe-runtime/driver/azure-durable/durable-contract';
import { durableSegmentation, durableStepEvents } from '../../../stacks/azure/durable-segments';
import { anchoredWaitsDefinition, catalogPlan, CONFORMANCE_STUDIES, everyStepKindDefinition, expectedTrace, RUN_STARTED_AT, toTrace } from '../../targets/orchestrator-trace';
import { driveDurable, RUN } from './durable-harness';

const flexPlan = () => planStudy(everyStepKindDefinition([2048], 4096), { provider: 'azure', hosting: 'flex' });

describe('Durable orchestrator conformance: a fake context walks the plan', () => {
  it.each(CONFORMANCE_STUDIES)('%s issues exactly the plan steps in order', (id) => {
    const plan = catalogPlan(id, 'azure');
    const { executions, actions, events } = driveDurable(plan);
    expect(executions).toHaveLength(1);
    expect(toTrace(plan, RUN, actions)).toEqual(expectedTrace(plan, RUN));
    expect(executions[0]!.outcome).toEqual({ run: RUN, status: 'completed', stepsCompleted: plan.steps.length, failures: [] });
    expect(events.filter((e) => e.action === 'burst').length).toBe(plan.steps.reduce((n, s) => n + (s.kind === 'burst' ? s.shards : 0), 0));
  });

  it('walks every step kind on Flex Consumption: multi-shard bursts, waits as durable timers, env, refresh and memory updates', () => {
    const plan = flexPlan();
    expect(plan.steps.some((s) => s.kind === 'burst' && s.shards >= 3)).toBe(true);
    const { actions } = driveDurable(plan);
    expect(toTrace(plan, RUN, actions)).toEqual(expectedTrace(plan, RUN));
    expect(actions.filter((a) => a.kind === 'wait').map((a) => (a as { seconds: number }).seconds)).toEqual([90, 0.5]);
  });

  it('records a shard reported as failed and an update that threw, and still closes the run', () => {
    const plan = flexPlan();
    const wide = plan.steps.find((s) => s.kind === 'burst' && s.shards >= 3)!;
    const update = plan.steps.find((s) => s.kind === 'update')!;
    const { executions, actions } = driveDurable(plan, [], {
      activity: (name, input) => {
        const event = input as { action?: string; shard?: number; step?: { index: number } | number };
        if (name === ACTIVITY.driverEvent && event.action === 'burst' && event.shard === 2) return { ok: false, message: 'driver shard died' };
        if (name === ACTIVITY.update && event.step === update.index) return 'throw';
        return undefined;
      },
    });
    const trace = toTrace(plan, RUN, actions);
    expect(trace.slice(0, -1)).toEqual(expectedTrace(plan, RUN).slice(0, -1));
    expect(trace.at(-1)).toEqual({ kind: 'finish-run', status: 'failed', stepsCompleted: plan.steps.length - 2, failures: [{ step: wide.index, shard: 2 }, { step: update.index, shard: null }] });
    expect(executions[0]!.outcome.failures.map((f) => f.message)).toEqual(['driver shard died', expect.stringContaining('host restarted')]);
  });

  it('attributes a failure of the whole fan-out to every shard of the burst', () => {
    const plan = flexPlan();
    const wide = plan.steps.find((s) => s.kind === 'burst' && s.shards >= 3) as BurstStep;
    const { executions } = driveDurable(plan, [], {
      activity: (name, input) => (name === ACTIVITY.driverEvent && (input as { step?: { index: number } }).step?.index === wide.index ? 'throw' : undefined),
    });
    expect(executions[0]!.outcome.failures.map((f) => [f.step, f.shard])).toEqual(Array.from({ length: wide.shards }, (_, s) => [wide.index, s]));
  });

  it('skips the schedule when start-run fails, and fails the orchestration when finish-run cannot close the run', () => {
    const plan = catalogPlan('coldstart', 'azure');
    const { executions, actions } = driveDurable(plan, [], {
      activity: (_name, input) => ((input as { action?: string }).action === 'start-run' ? { ok: false, message: 'bucket unreachable' } : undefined),
    });
    expect(toTrace(plan, RUN, actions)).toEqual([
      { kind: 'start-run', run: RUN },
      { kind: 'finish-run', status: 'failed', stepsCompleted: 0, failures: [{ step: -1, shard: null }] },
    ]);
    expect(executions[0]!.outcome.status).toBe('failed');
    expect(() => driveDurable(plan, [], { activity: (_name, input) => ((input as { action?: string }).action === 'finish-run' ? { ok: false, message: 'denied' } : undefined) })).toThrow(
      'finish-run failed: denied',
    );
  });
});

describe('Durable: waits anchored to the run\'s start (durable timers at run start + untilSeconds)', () => {
  const plan = planStudy(anchoredWaitsDefinition(), { provider: 'azure' });
  const anchored = plan.steps.filter((s) => s.kind === 'wait' && s.untilSeconds !== undefined);

  it('carries the run\'s start across continue-as-new: every execution after the first sets its timers on the anchors', () => {
    const handOverAt = durableSegmentation(plan, { maxStepsPerSegment: 3 }).handOverAt;
    const run = driveDurable(plan, handOverAt);
    expect(run.executions.length).toBeGreaterThan(3);
    expect(run.executions.slice(1).every((e) => e.input.carried?.startedAt === RUN_STARTED_AT)).toBe(true);
    expect(toTrace(plan, RUN, run.actions)).toEqual(expectedTrace(plan, RUN));
    expect(run.actions.filter((a) => a.kind === 'wait-until')).toHaveLength(anchored.length);
  });

  it('sets no timer for an anchor that has passed (the wait ends at once); plain waits still get theirs', () => {
    const dayBefore = new Date(Date.parse(RUN_STARTED_AT) - 86_400_000).toISOString();
    const run = driveDurable(plan, [], { runStartedAt: dayBefore });
    expect(run.executions.at(-1)!.outcome).toMatchObject({ status: 'completed', failures: [] });
    expect(run.actions.filter((a) => a.kind === 'wait-until')).toEqual([]);
    expect(run.actions.filter((a) => a.kind === 'wait')).toEqual([{ kind: 'wait', seconds: 2 }]);
  });

  it('a start-run answer without the run\'s start fails each anchored wait by name, and the run still closes', () => {
    const run = driveDurable(plan, [], {
      activity: (_name, input) => ((input as { action?: string }).action === 'start-run' ? { ok: true, result: { v: 1, action: 'start-run' } } : undefined),
    });
    const outcome = run.executions.at(-1)!.outcome;
    expect(outcome.status).toBe('failed');
    expect(outcome.failures.map((f) => f.step)).toEqual(anchored.map((w) => w.index));
    expect(outcome.failures[0]!.message).toMatch(/no run start for this wait anchored to it/);
  });
});

describe('Durable: runs continued as new', () => {
  it('at most 7 steps per execution: the driver sees exactly the plan\'s steps in order, once each, across continue-as-new', () => {
    const plan = flexPlan();
    const { handOverAt } = durableSegmentation(plan, { maxStepsPerSegment: 7 });
    expect(handOverAt.length).toBeGreaterThan(0);
    const { executions, actions, events } = driveDurable(plan, handOverAt);
    expect(executions).toHaveLength(handOverAt.length + 1);
    expect(toTrace(plan, RUN, actions)).toEqual(expectedTrace(plan, RUN));
    // Bursts and updates, once each, in plan order; start-run and finish-run once.
    expect(events.filter((e) => e.action === 'start-run')).toHaveLength(1);
    expect(events.filter((e) => e.action === 'finish-run')).toHaveLength(1);
    executions.slice(1).forEach((e, i) => expect(e.input).toEqual({ run: RUN, carried: { next: handOverAt[i], segment: i + 1, stepsCompleted: handOverAt[i], failures: [], startedAt: RUN_STARTED_AT } }));
    expect(executions.at(-1)!.outcome).toEqual({ run: RUN, status: 'completed', stepsCompleted: plan.steps.length, failures: [] });
  });

  it('hands over right after an update and in the middle of a repeat, carrying a failure into the last execution\'s finish-run', () => {
    const plan = catalogPlan('update-consistency', 'azure');
    const update = plan.steps.filter((s) => s.kind === 'update')[1]!;
    const { handOverAt } = durableSegmentation(plan, { maxStepsPerSegment: update.index + 1 });
    expect(handOverAt).toContain(update.index + 1);
    const updates = plan.steps.filter((s) => s.kind === 'update').map((s) => s.index);
    expect(handOverAt.some((at) => !updates.includes(at - 1) && at > updates[1]! + 1)).toBe(true);
    const early = plan.steps.find((s) => s.kind === 'burst')!;
    const { executions, actions } = driveDurable(plan, handOverAt, {
      activity: (name, input) => (name === ACTIVITY.driverEvent && (input as { step?: { index: number } }).step?.index === early.index ? { ok: false, message: 'driver shard died' } : undefined),
    });
    const trace = toTrace(plan, RUN, actions);
    expect(trace.slice(0, -1)).toEqual(expectedTrace(plan, RUN).slice(0, -1));
    expect(trace.at(-1)).toEqual({ kind: 'finish-run', status: 'failed', stepsCompleted: plan.steps.length - 1, failures: [{ step: early.index, shard: 0 }] });
    expect(executions.length).toBe(handOverAt.length + 1);
  });

  it('every execution writes no more history events than the segmentation counted for it', () => {
    const plan = flexPlan();
    const segmentation = durableSegmentation(plan, { maxStepsPerSegment: 7 });
    const { executions } = driveDurable(plan, segmentation.handOverAt);
    executions.forEach((e, i) => {
      expect(e.historyEvents).toBeLessThanOrEqual(segmentation.segments[i]!.units);
      // Every step writes at least its task or timer and a wake.
      expect(e.historyEvents).toBeGreaterThanOrEqual(4 * segmentation.segments[i]!.steps);
    });
    // A long study is split at the budget: lifetime at 168 h.
    const long = durableSegmentation(planStudy(lifetimeDefinition(168), { provider: 'azure', budget: { maxUsd: 1000, maxInvocations: 10_000_000 } }));
    expect(long.segments.length).toBeGreaterThan(1);
    for (const s of long.segments) expect(s.units).toBeLessThanOrEqual(9000);
    expect(durableStepEvents(plan.steps[0]!).bound).toBeGreaterThanOrEqual(durableStepEvents(plan.steps[0]!).typical);
  });
});

function lifetimeDefinition(hours: number) {
  return lifetime.build({ hours, intervalSeconds: 60, instances: 5, memoryMb: 128, holdMs: 250 });
}
