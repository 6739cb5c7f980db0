/**
 * The Durable Functions orchestrator, driven by a fake `context.df` that
 * behaves like the Durable runtime from the orchestrator's point of view (it
 * yields tasks, gets results or a thrown failure back, timers advance the
 * orchestration clock), must issue exactly the plan's steps in order.
 */
import { planStudy } from '../../../experiments/plan';
import type { BurstStep, StudyPlan } from '../../../experiments/plan-schema';
import { ACTIVITY, type ActivityOutcome, type RunOutcome, UpdateRequest } from '../../../probe-runtime/driver/azure-durable/durable-contract';
import { type DurablePort, orchestrateRun } from '../../../probe-runtime/driver/azure-durable/orchestrate-run';
import {
  anchoredWaitsDefinition,
  catalogPlan,
  CONFORMANCE_STUDIES,
  everyStepKindDefinition,
  expectedTrace,
  type RawAction,
  RUN_STARTED_AT,
  startRunAnswer,
  toTrace,
} from '../cdktf/orchestrator-trace';

const RUN = '20261126T120000Z-abc1';

type FakeTask =
  | { type: 'activity'; name: string; input: unknown }
  | { type: 'timer'; fireAt: Date }
  | { type: 'all'; tasks: FakeTask[] };

interface Faults {
  /** Outcome of an activity call; undefined = success. `throw` makes the task fail as the runtime would. */
  activity?: (name: string, input: unknown) => ActivityOutcome | 'throw' | undefined;
}

/** Runs the orchestrator generator to completion the way the Durable runtime would. */
function drive(plan: StudyPlan, faults: Faults = {}): { outcome: RunOutcome; actions: RawAction[] } {
  let now = new Date(RUN_STARTED_AT);
  const actions: RawAction[] = [];
  const started = startRunAnswer(plan, RUN);
  const anchors = new Set(Object.values((started.waitUntil ?? {}) as Record<string, string>));
  const df: DurablePort<FakeTask> = {
    get currentUtcDateTime() {
      return now;
    },
    callActivity: (name, input) => ({ type: 'activity', name, input: structuredClone(input) }),
    createTimer: (fireAt) => ({ type: 'timer', fireAt }),
    Task: { all: (tasks) => ({ type: 'all', tasks }) },
  };
  const run = (task: FakeTask): { value: unknown } | { error: Error } => {
    if (task.type === 'timer') {
      expect(task.fireAt.getTime()).toBeGreaterThan(now.getTime());
      // A timer at one of the instants start-run gave is an anchored wait; any other is relative.
      if (anchors.has(task.fireAt.toISOString())) actions.push({ kind: 'wait-until', until: task.fireAt.toISOString() });
      else actions.push({ kind: 'wait', seconds: (task.fireAt.getTime() - now.getTime()) / 1000 });
      now = task.fireAt;
      return { value: undefined };
    }
    if (task.type === 'all') {
      const results = task.tasks.map(run);
      const failed = results.find((r): r is { error: Error } => 'error' in r);
      return failed ?? { value: results.map((r) => (r as { value: unknown }).value) };
    }
    // An activity: JSON crosses the boundary, as in the Durable runtime.
    const input = JSON.parse(JSON.stringify(task.input)) as unknown;
    if (task.name === ACTIVITY.driverEvent) actions.push({ kind: 'driver', event: input });
    else if (task.name === ACTIVITY.update) {
      const u = UpdateRequest.parse(input);
      expect(u.study).toBe(plan.study.id);
      actions.push({ kind: 'update', function: u.function, generation: u.generation, change: u.change });
    } else throw new Error(`unknown activity ${task.name}`);
    now = new Date(now.getTime() + 250);
    const fault = faults.activity?.(task.name, input);
    if (fault === 'throw') return { error: new Error(`activity ${task.name} failed: host restarted`) };
    const isStart = task.name === ACTIVITY.driverEvent && (input as { action?: string }).action === 'start-run';
    return { value: fault ?? { ok: true, result: isStart ? started : null } };
  };

  const gen = orchestrateRun(df, plan, { run: RUN });
  let next = gen.next();
  while (!next.done) {
    const result = run(next.value);
    next = 'error' in result ? gen.throw(result.error) : gen.next(result.value);
  }
  return { outcome: next.value, actions };
}

describe('Durable orchestrator conformance: a fake context walks the plan', () => {
  it.each(CONFORMANCE_STUDIES)('%s issues exactly the plan steps in order', (id) => {
    const plan = catalogPlan(id, 'azure');
    const { outcome, actions } = drive(plan);
    expect(toTrace(plan, RUN, actions)).toEqual(expectedTrace(plan, RUN));
    expect(outcome).toEqual({ run: RUN, status: 'completed', stepsCompleted: plan.steps.length, failures: [] });
  });

  it('ends waits anchored to the run start (repeat every, untilSeconds, arrival chunks) with timers at the times start-run gave', () => {
    const plan = planStudy(anchoredWaitsDefinition(), { provider: 'azure' });
    const { outcome, actions } = drive(plan);
    expect(toTrace(plan, RUN, actions)).toEqual(expectedTrace(plan, RUN));
    expect(outcome).toMatchObject({ status: 'completed', stepsCompleted: plan.steps.length });
  });

  it('walks every step kind on Flex Consumption: multi-shard bursts, waits as durable timers, env, refresh and memory updates', () => {
    const plan = planStudy(everyStepKindDefinition([2048], 4096), { provider: 'azure', hosting: 'flex' });
    expect(plan.steps.some((s) => s.kind === 'burst' && s.shards >= 3)).toBe(true);
    const { actions } = drive(plan);
    expect(toTrace(plan, RUN, actions)).toEqual(expectedTrace(plan, RUN));
    expect(actions.filter((a) => a.kind === 'wait').map((a) => (a as { seconds: number }).seconds)).toEqual([90, 0.5]);
  });

  it('records a shard reported as failed and an update that threw, and still closes the run', () => {
    const plan = planStudy(everyStepKindDefinition([2048], 4096), { provider: 'azure', hosting: 'flex' });
    const wide = plan.steps.find((s) => s.kind === 'burst' && s.shards >= 3)!;
    const update = plan.steps.find((s) => s.kind === 'update')!;
    const { outcome, actions } = drive(plan, {
      activity: (name, input) => {
        const event = input as { action?: string; shard?: number; step?: { index: number } | number };
        if (name === ACTIVITY.driverEvent && event.action === 'burst' && event.shard === 2) return { ok: false, message: 'driver shard died' };
        if (name === ACTIVITY.update && event.step === update.index) return 'throw';
        return undefined;
      },
    });
    const trace = toTrace(plan, RUN, actions);
    expect(trace.slice(0, -1)).toEqual(expectedTrace(plan, RUN).slice(0, -1));
    const finish = trace.at(-1);
    expect(finish).toEqual({
      kind: 'finish-run',
      status: 'failed',
      stepsCompleted: plan.steps.length - 2,
      failures: [
        { step: wide.index, shard: 2 },
        { step: update.index, shard: null },
      ],
    });
    expect(outcome.failures.map((f) => f.message)).toEqual(['driver shard died', expect.stringContaining('host restarted')]);
  });

  it('attributes a failure of the whole fan-out to every shard of the burst', () => {
    const plan = planStudy(everyStepKindDefinition([2048], 4096), { provider: 'azure', hosting: 'flex' });
    const wide = plan.steps.find((s) => s.kind === 'burst' && s.shards >= 3) as BurstStep;
    const { outcome } = drive(plan, {
      activity: (name, input) => (name === ACTIVITY.driverEvent && (input as { shard?: number; step?: { index: number } }).step?.index === wide.index ? 'throw' : undefined),
    });
    expect(outcome.failures.map((f) => [f.step, f.shard])).toEqual(Array.from({ length: wide.shards }, (_, s) => [wide.index, s]));
  });

  it('skips the schedule when start-run fails, and fails the orchestration when finish-run cannot close the run', () => {
    const plan = catalogPlan('coldstart', 'azure');
    const { outcome, actions } = drive(plan, {
      activity: (_name, input) => ((input as { action?: string }).action === 'start-run' ? { ok: false, message: 'bucket unreachable' } : undefined),
    });
    expect(toTrace(plan, RUN, actions)).toEqual([
      { kind: 'start-run', run: RUN },
      { kind: 'finish-run', status: 'failed', stepsCompleted: 0, failures: [{ step: -1, shard: null }] },
    ]);
    expect(outcome.status).toBe('failed');
    expect(() =>
      drive(plan, { activity: (_name, input) => ((input as { action?: string }).action === 'finish-run' ? { ok: false, message: 'denied' } : undefined) }),
    ).toThrow('finish-run failed: denied');
  });
});
