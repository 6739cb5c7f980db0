/**
 * What one execution of the compiled state machine (compile-plan.ts) spends:
 * history events (Step Functions stops an execution at 25,000) and time (one
 * year), per plan step and per execution, counted from the policy constants
 * the compiler emits. The segmentation (targets/segmentation.ts) packs steps
 * into executions with these bounds, so no execution can reach a limit.
 *
 * History events per state, as Step Functions records them (Standard workflows):
 *   Task     Entered, Scheduled, Started, Succeeded, Exited = 5; each retried
 *            attempt adds Failed, Scheduled, Started = 3
 *   Pass, Wait, Choice   Entered, Exited = 2
 *   Map      Entered, Started, Succeeded, Exited = 4, plus per iteration
 *            IterationStarted, IterationSucceeded = 2 and the iteration's states
 *   Succeed, Fail   Entered (+ Exited) ≤ 2
 *   execution  Started + Succeeded/Failed = 2
 *
 * Per step the walk adds Describe (a driver Task), Dispatch and AfterStep
 * (Choices) around the step's own states.
 */
import { plannedStepSeconds } from '../../../experiments/planned-duration';
import type { PlanStep, StudyPlan } from '../../../experiments/plan-schema';
import { ORCHESTRATION_LIMITS } from '../../../experiments/capabilities';
import { anchoredWaitBounds, isAnchoredWait } from '../../../probe-runtime/contracts/anchored-waits';
import { directiveFor, MEASURING_RUN_STARTED_AT, resetCount } from '../../../probe-runtime/driver/describe-step';
import { segmentSteps, type Segmentation, type SegmentationOptions, type StepCost } from '../../../targets/segmentation';
import type { Retrier } from './asl-types';
import {
  DRIVER_CONTROL_RETRY,
  DRIVER_THROTTLE_RETRY,
  HANDOVER_RETRY,
  POLL_RETRY,
  SDK_CALL_TIMEOUT_SECONDS,
  SEGMENT_HEADROOM,
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

export interface AslShape {
  /** Updates of functions in another account go through Choices that pick the states with Credentials. */
  crossAccountUpdates: boolean;
  /** Waits anchored to the run's start go through a Wait on the directive's `until` (only then is it in the definition). */
  anchoredWaits: boolean;
}

function updateEvents(polls: number, updateAttempts: number, pollAttempts: number, shape: AslShape): number {
  // [route] update task, then per poll: wait + [route] + poll task + check, and an `again` pass between polls
  const route = shape.crossAccountUpdates ? simple : 0;
  return route + task(updateAttempts) + polls * (simple + route + task(pollAttempts) + simple) + (polls - 1) * simple;
}

/** History events of one walked step: Describe, Dispatch, the step's states, AfterStep. */
export function stepEvents(step: PlanStep | { kind: 'update' }, shape: AslShape): EventCounts {
  const walk = { typical: task(1) + simple + simple, bound: task(1 + DRIVER_CONTROL_RETRY.MaxAttempts) + simple + simple };
  const own = ((): EventCounts => {
    switch (step.kind) {
      case 'wait':
        return { typical: simple, bound: simple };
      case 'update':
        return {
          typical: updateEvents(TYPICAL_UPDATE_POLLS, 1, 1, shape),
          bound: updateEvents(UPDATE_POLL.maxPolls, 1 + UPDATE_RETRY.MaxAttempts, 1 + POLL_RETRY.MaxAttempts, shape),
        };
      case 'burst': {
        const one = { typical: task(1), bound: task(1 + DRIVER_THROTTLE_RETRY.MaxAttempts) };
        if (step.shards === 1) return one;
        return { typical: 4 + step.shards * (2 + one.typical), bound: 4 + step.shards * (2 + one.bound) };
      }
    }
  })();
  return { typical: walk.typical + own.typical, bound: walk.bound + own.bound };
}

/**
 * What every execution spends besides its steps: the execution, Begin, Init or
 * Resume, StartRun, FinishRun or the hand-over and its end, and a failure path
 * (marker, Failure choice, the record, FinishFailed, RunFailed).
 */
export function executionFixedEvents(): EventCounts {
  const control = task(1 + DRIVER_CONTROL_RETRY.MaxAttempts);
  const handOver = task(1 + HANDOVER_RETRY.MaxAttempts) + simple;
  const typical = 2 + simple + simple + task(1) + task(1);
  const bound = 2 + simple + simple + control + Math.max(control, handOver) + (simple + simple + simple + control + simple);
  return { typical, bound };
}

/** Longest a Task state can take: one attempt that runs to its timeout plus every retry's wait. */
function taskSeconds(timeoutSeconds: number, retry: Retrier): number {
  return timeoutSeconds + retryWaitSeconds(retry);
}

function updateSeconds(): number {
  return taskSeconds(SDK_CALL_TIMEOUT_SECONDS, UPDATE_RETRY) + pollWaitSeconds() + UPDATE_POLL.maxPolls * taskSeconds(SDK_CALL_TIMEOUT_SECONDS, POLL_RETRY);
}

/** The driver Task's timeout: the driver's own Lambda timeout plus a minute (compile-plan.ts emits it). */
export function driverTaskTimeoutSeconds(plan: StudyPlan): number {
  return driverTimeoutSeconds(plan) + 60;
}

/**
 * Longest legitimate duration of one walked step, seconds: waits as planned (an anchored wait until its
 * anchor from the one before: `anchoredBound`), one full driver invocation per burst with retry waits,
 * updates polled to their limit.
 */
function stepSeconds(driverTask: number, step: PlanStep | { kind: 'update' }, anchoredBound?: number): number {
  const describe = taskSeconds(driverTask, DRIVER_CONTROL_RETRY);
  if (step.kind === 'wait') return describe + Math.ceil(anchoredBound ?? step.seconds);
  if (step.kind === 'update') return describe + updateSeconds();
  return describe + taskSeconds(driverTask, DRIVER_THROTTLE_RETRY);
}

function fixedSeconds(plan: StudyPlan): number {
  const control = taskSeconds(driverTaskTimeoutSeconds(plan), DRIVER_CONTROL_RETRY);
  // start-run, finish-run or the hand-over, and the failure path's finish-run
  return control + Math.max(control, taskSeconds(SDK_CALL_TIMEOUT_SECONDS, HANDOVER_RETRY)) + control;
}

export function aslShape(plan: StudyPlan, updateRoles: Record<string, string> | undefined): AslShape {
  const updated = new Set(plan.steps.flatMap((s) => (s.kind === 'update' ? [s.function] : [])));
  return { crossAccountUpdates: Object.keys(updateRoles ?? {}).some((key) => updated.has(key)), anchoredWaits: plan.steps.some(isAnchoredWait) };
}

/**
 * Every item the state machine walks (the resets before step 0, then the plan's
 * steps) with its history events and duration. A step's directive must also fit
 * one state's input (the driver's answer is the state's data).
 */
export function aslStepCosts(plan: StudyPlan, shape: AslShape): StepCost[] {
  const resets = resetCount(plan);
  const driverTask = driverTaskTimeoutSeconds(plan);
  const anchored = anchoredWaitBounds(plan);
  const items: StepCost[] = [];
  const deployment = { v: 1 as const, provider: plan.provider, region: plan.region, planHash: plan.hash, targets: placeholderTargets(plan) };
  for (let index = -resets; index < plan.steps.length; index++) {
    const step = index < 0 ? ({ kind: 'update' } as const) : plan.steps[index]!;
    const events = stepEvents(step, shape);
    const directive = directiveFor({ run: PLACEHOLDER_RUN, index }, plan, deployment, MEASURING_RUN_STARTED_AT);
    const bytes = Buffer.byteLength(JSON.stringify({ run: PLACEHOLDER_RUN, d: directive }));
    const problems =
      bytes > STEP_FUNCTIONS_LIMITS.payloadBytes / 2
        ? [`its description is ${bytes} bytes, more than half of a state's ${STEP_FUNCTIONS_LIMITS.payloadBytes}-byte input (${ORCHESTRATION_LIMITS.aws.payloadBytes.source.url})`]
        : [];
    items.push({
      index,
      id: directive.id,
      units: events.bound,
      typicalUnits: events.typical,
      boundSeconds: stepSeconds(driverTask, step, anchored.get(index)),
      expectedSeconds: plannedStepSeconds(plan.provider, step),
      problems,
    });
  }
  return items;
}

/** How a plan's run is split into Step Functions executions. */
export function aslSegmentation(plan: StudyPlan, shape: AslShape, options: SegmentationOptions = {}): Segmentation {
  const fixed = executionFixedEvents();
  return segmentSteps(
    plan.study.id,
    aslStepCosts(plan, shape),
    {
      engine: 'AWS Step Functions',
      units: ORCHESTRATION_LIMITS.aws.historyEvents,
      seconds: ORCHESTRATION_LIMITS.aws.executionSeconds,
      headroom: SEGMENT_HEADROOM,
      fixed: { units: fixed.bound, typicalUnits: fixed.typical, boundSeconds: fixedSeconds(plan) },
    },
    options,
  );
}

/**
 * The state machine's TimeoutSeconds: the longest legitimate duration of any
 * of its executions. Every state is bounded, so an execution ends by itself,
 * through the failure path that closes run.json, before this backstop fires.
 */
export function executionTimeoutSeconds(segmentation: Segmentation): number {
  return Math.min(STEP_FUNCTIONS_LIMITS.maxExecutionSeconds, Math.ceil(Math.max(...segmentation.segments.map((s) => s.boundSeconds))));
}

/** A run id of the longest form (RUN_ID_PATTERN allows 33 characters), so a directive's measured size is its largest. */
const PLACEHOLDER_RUN = '20261206T000000Z-0123456789abcdef';

/** Longest plausible Lambda addresses (a cross-account ARN), so directive sizes are not underestimated. */
function placeholderTargets(plan: StudyPlan): Record<string, string> {
  return Object.fromEntries(plan.functions.map((f) => [f.key, `arn:aws:lambda:${plan.region}:123456789012:function:curtain-${f.name}`]));
}
