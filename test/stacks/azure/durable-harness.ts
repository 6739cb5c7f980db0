/**
 * Runs the Durable Functions orchestrator with a fake `context.df` that
 * behaves like the Durable runtime from the orchestrator's point of view: it
 * yields tasks and gets results or a thrown failure back, timers advance the
 * orchestration clock, JSON crosses every boundary, and continueAsNew starts
 * the same instance again with the new input and an empty history. Driver
 * activities go to a recording driver (test/targets/recording-driver.ts: the
 * driver's own checks); the history events each execution writes are counted
 * as the Durable Task framework records them.
 */
import type { StudyPlan } from '../../../experiments/plan-schema';
import type { DriverEvent } from '../../../probe-runtime/contracts/driver-event';
import { ACTIVITY, type ActivityOutcome, OrchestrationInput, type RunOutcome, UpdateRequest } from '../../../probe-runtime/driver/azure-durable/durable-contract';
import { type DurablePort, orchestrateRun } from '../../../probe-runtime/driver/azure-durable/orchestrate-run';
import { anchoredWaitTimes } from '../../../probe-runtime/contracts/anchored-waits';
import { type RawAction, RUN_STARTED_AT, TRACE_RUN } from '../../targets/orchestrator-trace';
import { recordingDriver } from '../../targets/recording-driver';

/** The run id every orchestrator trace starts its run with. */
export const RUN = TRACE_RUN;

type FakeTask = { type: 'activity'; name: string; input: unknown } | { type: 'timer'; fireAt: Date } | { type: 'all'; tasks: FakeTask[] };

export interface DurableFaults {
  /** Outcome of an activity call; undefined = success. `throw` makes the task fail as the runtime would. */
  activity?: (name: string, input: unknown) => ActivityOutcome | 'throw' | undefined;
  /** The run's start the recording driver answers start-run with (default RUN_STARTED_AT, the orchestration clock's start). */
  runStartedAt?: string;
}

export interface DurableExecution {
  input: OrchestrationInput;
  outcome: RunOutcome;
  /** History events the execution wrote (ExecutionStarted … ExecutionCompleted or ContinuedAsNew). */
  historyEvents: number;
}

export interface DurableRun {
  executions: DurableExecution[];
  actions: RawAction[];
  events: DriverEvent[];
}

/** Runs the orchestration to its end, through every continue-as-new. */
export function driveDurable(plan: StudyPlan, handOverAt: readonly number[] = [], faults: DurableFaults = {}): DurableRun {
  const driver = recordingDriver(plan, { handOverAt: [...handOverAt] }, {}, undefined, faults.runStartedAt);
  // The orchestration clock starts with the run (RUN_STARTED_AT); a timer firing at one of the plan's
  // anchors (run start + untilSeconds) is recorded as the instant it waits until.
  let now = new Date(RUN_STARTED_AT);
  const anchors = new Set(Object.values(anchoredWaitTimes(plan, Date.parse(faults.runStartedAt ?? RUN_STARTED_AT)) ?? {}));
  const actions: RawAction[] = [];
  const executions: DurableExecution[] = [];
  let input: unknown = { run: RUN };

  while (input !== null) {
    if (executions.length > 1000) throw new Error('more than 1000 executions');
    // As the runtime does, the input crosses a JSON boundary; the orchestrator's own schema checks it.
    const parsed = OrchestrationInput.parse(JSON.parse(JSON.stringify(input)));
    let continued: unknown = null;
    let history = 2; // ExecutionStarted, and ExecutionCompleted or ContinuedAsNew
    const df: DurablePort<FakeTask> = {
      get currentUtcDateTime() {
        return now;
      },
      callActivity: (name, activityInput) => ({ type: 'activity', name, input: structuredClone(activityInput) }),
      createTimer: (fireAt) => ({ type: 'timer', fireAt }),
      Task: { all: (tasks) => ({ type: 'all', tasks }) },
      continueAsNew: (next) => {
        if (continued !== null) throw new Error('continueAsNew called twice');
        continued = JSON.parse(JSON.stringify(next));
      },
    };
    const run = (task: FakeTask): { value: unknown } | { error: Error } => {
      if (task.type === 'timer') {
        expect(task.fireAt.getTime()).toBeGreaterThan(now.getTime());
        history += 2; // TimerCreated, TimerFired
        const until = task.fireAt.toISOString();
        actions.push(anchors.has(until) ? { kind: 'wait-until', until } : { kind: 'wait', seconds: (task.fireAt.getTime() - now.getTime()) / 1000 });
        now = task.fireAt;
        return { value: undefined };
      }
      if (task.type === 'all') {
        const results = task.tasks.map(run);
        const failed = results.find((r): r is { error: Error } => 'error' in r);
        return failed ?? { value: results.map((r) => (r as { value: unknown }).value) };
      }
      history += 2; // TaskScheduled, TaskCompleted or TaskFailed
      const activityInput = JSON.parse(JSON.stringify(task.input)) as unknown;
      let result: ActivityOutcome = { ok: true, result: null };
      if (task.name === ACTIVITY.driverEvent) {
        actions.push({ kind: 'driver', event: activityInput });
        try {
          result = { ok: true, result: driver.handle(activityInput) };
        } catch (error) {
          result = { ok: false, message: (error as Error).message };
        }
      } else if (task.name === ACTIVITY.update) {
        const u = UpdateRequest.parse(activityInput);
        expect(u.study).toBe(plan.study.id);
        actions.push({ kind: 'update', function: u.function, generation: u.generation, change: u.change });
      } else throw new Error(`unknown activity ${task.name}`);
      now = new Date(now.getTime() + 250);
      const fault = faults.activity?.(task.name, activityInput);
      if (fault === 'throw') return { error: new Error(`activity ${task.name} failed: host restarted`) };
      return { value: fault ?? result };
    };

    const gen = orchestrateRun(df, plan, parsed, handOverAt);
    history += 2; // the first wake: OrchestratorStarted, OrchestratorCompleted
    let next = gen.next();
    while (!next.done) {
      const result = run(next.value);
      history += 2; // woken by the result
      next = 'error' in result ? gen.throw(result.error) : gen.next(result.value);
    }
    executions.push({ input: parsed, outcome: next.value, historyEvents: history });
    if ((continued === null) !== (next.value.status !== 'handed-over')) throw new Error('an execution handed over without continueAsNew, or the other way round');
    input = continued;
  }
  return { executions, actions, events: driver.events };
}
