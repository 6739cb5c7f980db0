/**
 * Runs the Durable Functions orchestrator with a fake `context.df` that
 * behaves like the Durable runtime from the orchestrator's point of view (it
 * yields tasks, gets results or a thrown failure back, timers advance the
 * orchestration clock), and records what it asked for, in order.
 */
import type { StudyPlan } from '../../../experiments/plan-schema';
import { ACTIVITY, type ActivityOutcome, type RunOutcome, UpdateRequest } from '../../../probe-runtime/driver/azure-durable/durable-contract';
import { type DurablePort, orchestrateRun } from '../../../probe-runtime/driver/azure-durable/orchestrate-run';
import { type RawAction, TRACE_RUN } from '../orchestrator-trace';
import type { TraceRunner } from './trace-runner';


type FakeTask =
  | { type: 'activity'; name: string; input: unknown }
  | { type: 'timer'; fireAt: Date }
  | { type: 'all'; tasks: FakeTask[] };

export interface Faults {
  /** Outcome of an activity call; undefined = success. `throw` makes the task fail as the runtime would. */
  activity?: (name: string, input: unknown) => ActivityOutcome | 'throw' | undefined;
}

/** Runs the orchestrator generator to completion the way the Durable runtime would. */
export function driveDurable(plan: StudyPlan, faults: Faults = {}): { outcome: RunOutcome; actions: RawAction[] } {
  let now = new Date('2026-11-26T12:00:00Z');
  const actions: RawAction[] = [];
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
      actions.push({ kind: 'wait', seconds: (task.fireAt.getTime() - now.getTime()) / 1000 });
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
    return { value: fault ?? { ok: true, result: null } };
  };

  const gen = orchestrateRun(df, plan, { run: TRACE_RUN });
  let next = gen.next();
  while (!next.done) {
    const result = run(next.value);
    next = 'error' in result ? gen.throw(result.error) : gen.next(result.value);
  }
  return { outcome: next.value, actions };
}


export const durableTraceRunner: TraceRunner = {
  // The orchestrator walks the plan the driver app carries (CompiledOrchestrator format `plan`).
  run: async (_plan, compiled) => driveDurable(compiled.definition as StudyPlan).actions,
};
