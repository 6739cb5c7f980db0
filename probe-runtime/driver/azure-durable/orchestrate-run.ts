/**
 * The Durable Functions orchestrator of a Curtain run on Azure, as a pure
 * generator over a narrow port of `context.df`, so tests drive it with a fake
 * context and the Functions host drives it with the real one.
 *
 * It walks the plan's steps in order:
 *   start-run → activity `curtainDriverEvent`
 *   burst     → one `curtainDriverEvent` per shard, all shards at once (Task.all),
 *               sharing one `stepStartedAt` so they share one barrier
 *   wait      → a durable timer (no compute is billed while it sleeps); a wait
 *               anchored to the run's start fires at startedAt + untilSeconds
 *               (startedAt from start-run's answer, carried across continue-as-new),
 *               and is no timer at all once that has passed
 *   update    → activity `curtainUpdate` (ARM: the probe app's settings)
 *   finish-run→ `curtainDriverEvent`, always, with status `failed` when anything failed
 *
 * Activities report their own failures as values ({ok: false, message}) so a
 * failed shard is recorded with its shard number and the other shards still
 * count; an activity that fails anyway (host crash, timeout) is caught here.
 * Nothing is retried: a retried shard would exceed the attempts the budget
 * was checked against (the driver enforces the plan's retries per request).
 *
 * Continue as new: Durable Functions replays an orchestration's whole history
 * at every step and advises resetting it (continue-as-new) for long ones. At
 * each boundary of the split staged in deployment.json (`handOverAt`,
 * stacks/azure/durable-segments.ts) the orchestrator continues as new with
 * {run, carried: next step, segment, steps completed, failures, the run's start}; the instance
 * id (the run id) stays, start-run is not repeated, and every step runs in
 * exactly one execution.
 *
 * Orchestrator code must be deterministic: time comes from
 * `currentUtcDateTime`, never from the clock.
 */
import type { BurstStep, StudyPlan, UpdateStep } from '../../../experiments/plan-schema';
import { anchorInstant, isAnchoredWait } from '../../contracts/anchored-waits';
import { DRIVER_EVENT_VERSION, type DriverEvent } from '../../contracts/driver-event';
import type { ActivityOutcome, OrchestrationInput, RunFailure, RunOutcome, UpdateRequest } from './durable-contract';
import { ACTIVITY } from './durable-contract';

/** The part of durable-functions' `context.df` the orchestrator uses. */
export interface DurablePort<TTask = unknown> {
  readonly currentUtcDateTime: Date;
  callActivity(name: string, input?: unknown): TTask;
  createTimer(fireAt: Date): TTask;
  Task: { all(tasks: TTask[]): TTask };
  /** Restarts the orchestration with `input` and an empty history; the orchestrator returns right after. */
  continueAsNew(input: unknown): void;
}

export function* orchestrateRun<TTask>(
  df: DurablePort<TTask>,
  plan: StudyPlan,
  input: OrchestrationInput,
  handOverAt: readonly number[] = [],
): Generator<TTask, RunOutcome, unknown> {
  const common = { v: DRIVER_EVENT_VERSION, study: plan.study.id, run: input.run, planHash: plan.hash } as const;
  const carried = input.carried;
  const failures: RunFailure[] = [...(carried?.failures ?? [])];
  let stepsCompleted = carried?.stepsCompleted ?? 0;
  const first = carried?.next ?? 0;

  const opened = carried ? { startedAt: carried.startedAt } : yield* callDriver(df, { ...common, action: 'start-run', ...(input.templateHash ? { execution: { templateHash: input.templateHash } } : {}) }, -1, null, failures);
  if (opened) {
    const startedAt = opened.startedAt;
    for (let index = first; index < plan.steps.length; index++) {
      if (index !== first && handOverAt.includes(index)) {
        const segment = (carried?.segment ?? 0) + 1;
        df.continueAsNew({ run: input.run, carried: { next: index, segment, stepsCompleted, failures, ...(startedAt ? { startedAt } : {}) } } satisfies OrchestrationInput);
        return { run: input.run, status: 'handed-over', stepsCompleted, failures };
      }
      const step = plan.steps[index]!;
      const before = failures.length;
      if (step.kind === 'burst') yield* runBurst(df, common, step, failures);
      else if (isAnchoredWait(step)) {
        // Deterministic on replay: the anchor comes from the recorded start, "now" from the orchestration clock.
        if (startedAt === undefined) failures.push({ step: step.index, shard: null, message: 'start-run gave no run start for this wait anchored to it' });
        else {
          const fireAt = new Date(anchorInstant(startedAt, step.untilSeconds));
          if (fireAt.getTime() > df.currentUtcDateTime.getTime()) yield df.createTimer(fireAt);
        }
      } else if (step.kind === 'wait') yield df.createTimer(new Date(df.currentUtcDateTime.getTime() + step.seconds * 1000));
      else yield* runUpdate(df, plan, step, failures);
      if (failures.length === before) stepsCompleted += 1;
    }
  }

  const status = failures.length > 0 ? 'failed' : 'completed';
  // finish-run is the one call whose failure fails the orchestration: the run cannot be closed.
  const finish = (yield df.callActivity(ACTIVITY.driverEvent, {
    ...common,
    action: 'finish-run',
    status,
    stepsCompleted,
    failures,
  } satisfies DriverEvent)) as ActivityOutcome;
  if (!finish.ok) throw new Error(`finish-run failed: ${finish.message}`);
  return { run: input.run, status, stepsCompleted, failures };
}

function* runBurst<TTask>(
  df: DurablePort<TTask>,
  common: { v: typeof DRIVER_EVENT_VERSION; study: string; run: string; planHash: string },
  step: BurstStep,
  failures: RunFailure[],
): Generator<TTask, void, unknown> {
  const stepStartedAt = df.currentUtcDateTime.toISOString();
  const tasks = Array.from({ length: step.shards }, (_, shard) =>
    df.callActivity(ACTIVITY.driverEvent, { ...common, action: 'burst', step, shard, stepStartedAt } satisfies DriverEvent),
  );
  let outcomes: ActivityOutcome[];
  try {
    outcomes = (yield df.Task.all(tasks)) as ActivityOutcome[];
  } catch (error) {
    const message = errorMessage(error);
    for (let shard = 0; shard < step.shards; shard++) failures.push({ step: step.index, shard, message });
    return;
  }
  outcomes.forEach((outcome, shard) => {
    if (!outcome.ok) failures.push({ step: step.index, shard, message: outcome.message });
  });
}

function* runUpdate<TTask>(df: DurablePort<TTask>, plan: StudyPlan, step: UpdateStep, failures: RunFailure[]): Generator<TTask, void, unknown> {
  const request: UpdateRequest = { study: plan.study.id, step: step.index, function: step.function, change: step.change, generation: step.generation };
  try {
    const outcome = (yield df.callActivity(ACTIVITY.update, request)) as ActivityOutcome;
    if (!outcome.ok) failures.push({ step: step.index, shard: null, message: outcome.message });
  } catch (error) {
    failures.push({ step: step.index, shard: null, message: errorMessage(error) });
  }
}

/** Calls the driver activity: the run's start from its answer (start-run), or null after recording a failure. */
function* callDriver<TTask>(
  df: DurablePort<TTask>,
  event: DriverEvent,
  step: number,
  shard: number | null,
  failures: RunFailure[],
): Generator<TTask, { startedAt: string | undefined } | null, unknown> {
  try {
    const outcome = (yield df.callActivity(ACTIVITY.driverEvent, event)) as ActivityOutcome;
    if (outcome.ok) {
      const startedAt = (outcome.result as { startedAt?: unknown } | null)?.startedAt;
      return { startedAt: typeof startedAt === 'string' && !Number.isNaN(Date.parse(startedAt)) ? startedAt : undefined };
    }
    failures.push({ step, shard, message: outcome.message });
  } catch (error) {
    failures.push({ step, shard, message: errorMessage(error) });
  }
  return null;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
