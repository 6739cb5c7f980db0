/**
 * Upper bounds of an execution of a compiled plan: its duration (the state
 * machine's TimeoutSeconds) and the number of history events it writes (Step
 * Functions stops an execution at 25,000). Both are counted from the plan with
 * the policy constants the compiler uses, state group by state group.
 *
 * History events per state, as Step Functions records them (Standard workflows):
 *   Task     Entered, Scheduled, Started, Succeeded, Exited = 5; each retried
 *            attempt adds Failed, Scheduled, Started = 3
 *   Pass, Wait, Choice   Entered, Exited = 2
 *   Map      Entered, Started, Succeeded, Exited = 4, plus per iteration
 *            IterationStarted, IterationSucceeded = 2 and the iteration's states
 *   execution  Started + Succeeded/Failed = 2
 */
import { INITIAL_GENERATION } from '../../../experiments/plan-queries';
import type { PlanStep, StudyPlan } from '../../../experiments/plan-schema';
import type { Retrier } from './asl-types';
import {
  DRIVER_CONTROL_RETRY,
  DRIVER_THROTTLE_RETRY,
  POLL_RETRY,
  SDK_CALL_TIMEOUT_SECONDS,
  STEP_FUNCTIONS_LIMITS,
  UPDATE_POLL,
  UPDATE_RETRY,
  driverTimeoutSeconds,
  pollWaitSeconds,
  retryWaitSeconds,
} from './orchestration-policy';

/** Polls of a typical update: waits of 1 + 2 + 4 s cover the few seconds a Lambda configuration update takes. */
export const TYPICAL_UPDATE_POLLS = 3;

const task = (attempts: number) => 2 + 3 * attempts;
const simple = 2;

export interface EventCounts {
  /** No retries, typical polling. */
  typical: number;
  /** Every retrier exhausted and every update polled to its limit. */
  bound: number;
}

function updateEvents(polls: number, updateAttempts: number, pollAttempts: number): number {
  // update task, then per poll: wait + poll task + check, and an `again` pass between polls
  return task(updateAttempts) + polls * (simple + task(pollAttempts) + simple) + (polls - 1) * simple;
}

function stepEvents(step: PlanStep): EventCounts {
  switch (step.kind) {
    case 'wait':
      return { typical: simple, bound: simple };
    case 'update':
      return {
        typical: updateEvents(TYPICAL_UPDATE_POLLS, 1, 1),
        bound: updateEvents(UPDATE_POLL.maxPolls, 1 + UPDATE_RETRY.MaxAttempts, 1 + POLL_RETRY.MaxAttempts),
      };
    case 'burst': {
      const one = { typical: task(1), bound: task(1 + DRIVER_THROTTLE_RETRY.MaxAttempts) };
      if (step.shards === 1) return one;
      return { typical: 4 + step.shards * (2 + one.typical), bound: 4 + step.shards * (2 + one.bound) };
    }
  }
}

export interface BoundOptions {
  /** Functions reset before the first step (compile option resetBeforeRun). */
  resetFunctions: number;
}

/** History events of one execution that completes (typical) and the most any execution can write (bound). */
export function historyEvents(plan: StudyPlan, options: BoundOptions): EventCounts {
  const control = task(1 + DRIVER_CONTROL_RETRY.MaxAttempts);
  let typical = 2 + simple + task(1) + task(1); // execution, Init, StartRun, FinishRun
  let bound = 2 + simple + control + control;
  const reset = stepEvents({ index: 0, id: '0000-update', kind: 'update', function: '', change: { kind: 'refresh' }, generation: INITIAL_GENERATION });
  typical += options.resetFunctions * reset.typical;
  bound += options.resetFunctions * reset.bound;
  for (const step of plan.steps) {
    const e = stepEvents(step);
    typical += e.typical;
    bound += e.bound;
  }
  // A failure ends the run through: timeout pass, failed marker, Failure (choice), its message pass, FinishFailed, RunFailed.
  bound += simple + simple + simple + simple + control + 1;
  return { typical, bound };
}

/** Longest a Task state can take: one attempt that runs to its timeout plus every retry's wait. */
function taskSeconds(timeoutSeconds: number, retry: Retrier): number {
  return timeoutSeconds + retryWaitSeconds(retry);
}

function updateSeconds(): number {
  return (
    taskSeconds(SDK_CALL_TIMEOUT_SECONDS, UPDATE_RETRY) +
    pollWaitSeconds() +
    UPDATE_POLL.maxPolls * taskSeconds(SDK_CALL_TIMEOUT_SECONDS, POLL_RETRY)
  );
}

/**
 * The state machine's TimeoutSeconds: the sum over the plan of each state's
 * longest legitimate duration (waits as planned, one full-length driver
 * invocation per burst and every retry wait, updates polled to their limit).
 * Every state is bounded, so an execution ends by itself, through the failure
 * path that closes run.json, before this backstop can fire.
 */
export function executionTimeoutSeconds(plan: StudyPlan, options: BoundOptions): number {
  const driverTask = driverTimeoutSeconds(plan) + 60;
  let seconds = 2 * taskSeconds(driverTask, DRIVER_CONTROL_RETRY); // start-run, finish-run
  seconds += options.resetFunctions * updateSeconds();
  for (const step of plan.steps) {
    if (step.kind === 'wait') seconds += Math.ceil(step.seconds);
    else if (step.kind === 'update') seconds += updateSeconds();
    else seconds += taskSeconds(driverTask, DRIVER_THROTTLE_RETRY);
  }
  seconds += taskSeconds(driverTask, DRIVER_CONTROL_RETRY); // the failure path's finish-run
  return Math.min(STEP_FUNCTIONS_LIMITS.maxExecutionSeconds, Math.ceil(seconds));
}
