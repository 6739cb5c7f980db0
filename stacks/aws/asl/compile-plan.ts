/**
 * compilePlan: StudyPlan → Step Functions state machine definition (ASL).
 *
 * The machine walks the plan instead of unrolling it, so its size does not
 * depend on the number of steps: it asks the driver (which carries plan.json)
 * to describe step i, branches on the step's kind, runs it, and goes on with
 * what the driver's answer says comes next (probe-runtime/contracts/step-directive.ts):
 *
 *   Begin ─(new run)→ Init → StartRun ─┐
 *         └(continued)→ Resume ────────┴→ Describe → Dispatch → step states → AfterStep
 *   AfterStep: continue → Describe;  hand-over → HandOver (the next execution) → HandedOver;
 *              finish → FinishRun
 *
 *   wait    a Wait state of the step's whole seconds (Wait takes whole seconds);
 *           a wait anchored to the run's start waits until the driver's `until`
 *           rounded up to the second (Wait on TimestampPath; Step Functions
 *           truncates milliseconds; at once when it has passed). Only plans with
 *           anchored waits get that state, so other definitions are unchanged
 *   burst   one driver invocation {action: burst, step, shard 0, stepStartedAt};
 *           a Map over the step's shard indices when the plan splits the burst
 *   update  updateFunctionConfiguration with the function's full environment
 *           and memory as the step leaves them, then getFunctionConfiguration
 *           polled with doubling waits until LastUpdateStatus is Successful (a
 *           bounded number of polls); with the target account's role for a
 *           second tenant's functions
 *
 * Before step 0 the walk starts at the resets (negative indices): each function
 * an update step reconfigures goes back to the configuration the plan deploys,
 * so repeated runs start alike.
 *
 * Continue as new: a run is split into executions that each stay within Step
 * Functions' history and duration limits (bounds.ts, targets/segmentation.ts;
 * the split is staged in the driver's deployment.json). At a boundary the
 * execution starts the next one, named `<run>-s<segment>` (StartExecution is
 * idempotent for a name, so a retried hand-over cannot start it twice), with
 * {run, next}; the new execution resumes by describing step `next`.
 *
 * Every state that can fail is caught into one path (StepFailed or NextFailed →
 * Failure → Failure_* → FinishFailed → RunFailed) that still calls the
 * driver's finish-run with status `failed`, the failing step and the steps
 * completed (both from the driver's answer), so run.json is closed. Caught
 * errors do not always carry a `Cause` (Step Functions omits it, e.g. for
 * States.Timeout), and a path that does not exist is a States.Runtime error no
 * Catch can handle: Failure is a Choice that formats the message only from the
 * fields the error has.
 *
 * The run id is the first execution's name (`curtain start` names executions
 * after the run), so a run and its first execution are one thing.
 */
import { DRIVER_EVENT_VERSION } from '../../../probe-runtime/contracts/driver-event';
import type { StudyPlan } from '../../../experiments/plan-schema';
import { peakShards } from '../../../experiments/plan-queries';
import { resetCount } from '../../../probe-runtime/driver/describe-step';
import type { Segmentation } from '../../../targets/segmentation';
import type { Catcher, ChoiceRule, JsonObject, PassState, State, StateMachineDefinition, TaskState } from './asl-types';
import { aslSegmentation, aslShape, driverTaskTimeoutSeconds, executionTimeoutSeconds } from './bounds';
import {
  DRIVER_CONTROL_RETRY,
  DRIVER_THROTTLE_RETRY,
  HANDOVER_RETRY,
  POLL_RETRY,
  SDK_CALL_TIMEOUT_SECONDS,
  UPDATE_POLL,
  UPDATE_RETRY,
} from './orchestration-policy';

/** What the state machine addresses. Names or ARNs, literal or CloudFormation substitution placeholders (`${Name}`). */
export interface AslTargets {
  /** The driver function (name or ARN). */
  driver: string;
  /**
   * Function key → role the orchestrator assumes to reconfigure it (a second
   * tenant's account). The roles themselves reach the machine in the driver's
   * answers; here they decide whether the states with Credentials exist.
   */
  updateRoles?: Record<string, string>;
}

export interface CompileOptions {
  /** How the run is split into executions (default: as the limits allow, bounds.ts). */
  segmentation?: Segmentation;
}

export const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
export const UPDATE_FUNCTION_CONFIGURATION = 'arn:aws:states:::aws-sdk:lambda:updateFunctionConfiguration';
export const GET_FUNCTION_CONFIGURATION = 'arn:aws:states:::aws-sdk:lambda:getFunctionConfiguration';
export const START_EXECUTION = 'arn:aws:states:::states:startExecution';

/** Names of the states. */
export const STATE = {
  begin: 'Begin',
  init: 'Init',
  startRun: 'StartRun',
  startFailed: 'StartFailed',
  resume: 'Resume',
  describe: 'Describe',
  dispatch: 'Dispatch',
  burstOne: 'BurstOne',
  burstShards: 'BurstShards',
  burstShard: 'BurstShard',
  wait: 'Wait',
  waitUntil: 'WaitUntil',
  update: 'Update',
  updateAs: 'UpdateAs',
  updateWait: 'UpdateWait',
  pollRoute: 'PollRoute',
  poll: 'Poll',
  pollAs: 'PollAs',
  updateCheck: 'UpdateCheck',
  updateAgain: 'UpdateAgain',
  updateTimeout: 'UpdateTimeout',
  unknownStep: 'UnknownStep',
  afterStep: 'AfterStep',
  handOver: 'HandOver',
  handedOver: 'HandedOver',
  finishRun: 'FinishRun',
  stepFailed: 'StepFailed',
  nextFailed: 'NextFailed',
  failure: 'Failure',
  failureWithCause: 'Failure_withCause',
  failureWithoutCause: 'Failure_withoutCause',
  failureUnknown: 'Failure_unknown',
  finishFailed: 'FinishFailed',
  runFailed: 'RunFailed',
} as const;

/** The error a run that failed ends with (after finish-run recorded it). */
export const RUN_FAILED_ERROR = 'Curtain.RunFailed';
/** The error of an update whose function did not reach LastUpdateStatus Successful. */
export const UPDATE_NOT_APPLIED_ERROR = 'Curtain.UpdateNotApplied';
/** The error of a step the driver described with a kind this machine does not know (a newer driver). */
export const UNKNOWN_STEP_ERROR = 'Curtain.UnknownStep';

/** The name of the execution that runs segment `segment` (> 0) of run `run`; segment 0 is named `run`. */
export function segmentExecutionName(run: string, segment: number): string {
  return `${run}-s${segment}`;
}

export function compilePlan(plan: StudyPlan, targets: AslTargets, options: CompileOptions = {}): StateMachineDefinition {
  const shape = aslShape(plan, targets.updateRoles);
  const segmentation = options.segmentation ?? aslSegmentation(plan, shape);
  const common = { v: DRIVER_EVENT_VERSION, study: plan.study.id, planHash: plan.hash };
  const states: Record<string, State> = {};
  const invokeDriver = (payload: JsonObject, retry: typeof DRIVER_THROTTLE_RETRY): TaskState => ({
    Type: 'Task',
    Resource: LAMBDA_INVOKE,
    Parameters: { FunctionName: targets.driver, Payload: { ...common, ...payload } },
    TimeoutSeconds: driverTaskTimeoutSeconds(plan),
    Retry: [retry],
  });
  const catchInto = (next: string): Catcher[] => [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: next }];
  const firstIndex = -resetCount(plan);

  states[STATE.begin] = {
    Type: 'Choice',
    Comment: 'An execution that continues a run is started with {run, next}; a new run has neither.',
    Choices: [{ Variable: '$.next', IsPresent: true, Next: STATE.resume }],
    Default: STATE.init,
  };
  states[STATE.init] = {
    Type: 'Pass',
    Comment: 'The run id is the execution name; the walk starts at the resets before step 0.',
    Parameters: {
      'run.$': '$$.Execution.Name',
      d: { next: firstIndex, nextFailure: { step: -1, completed: 0, where: `describe-step ${firstIndex}` } },
    },
    Next: STATE.startRun,
  };
  states[STATE.startRun] = {
    // The execution's input carries the template hash `curtain start` read from CloudFormation (run.json records it).
    ...invokeDriver({ action: 'start-run', 'run.$': '$.run', 'execution.$': '$$.Execution.Input' }, DRIVER_CONTROL_RETRY),
    ResultPath: null,
    Catch: catchInto(STATE.startFailed),
    Next: STATE.describe,
  };
  states[STATE.startFailed] = { Type: 'Pass', Result: { step: -1, completed: 0, where: 'start-run' }, ResultPath: '$.f', Next: STATE.failure };
  states[STATE.resume] = {
    Type: 'Pass',
    Comment: 'Every step before `next` completed in earlier executions.',
    Parameters: {
      'run.$': '$.run',
      d: { 'next.$': '$.next', nextFailure: { 'step.$': '$.next', 'completed.$': '$.next', where: 'describe-step after a hand-over' } },
    },
    Next: STATE.describe,
  };
  states[STATE.describe] = {
    ...invokeDriver({ action: 'describe-step', 'run.$': '$.run', 'index.$': '$.d.next' }, DRIVER_CONTROL_RETRY),
    // No ResultPath: the default ("$") makes the whole state {run, d: the directive}.
    ResultSelector: { 'run.$': '$.Payload.run', 'd.$': '$.Payload' },
    Catch: catchInto(STATE.nextFailed),
    Next: STATE.dispatch,
  };

  const kindIs = (kind: string): ChoiceRule => ({ Variable: '$.d.kind', StringEquals: kind });
  states[STATE.dispatch] = {
    Type: 'Choice',
    Choices: [
      { And: [kindIs('burst'), { Variable: '$.d.step.shards', NumericEquals: 1 }], Next: STATE.burstOne },
      { ...kindIs('burst'), Next: STATE.burstShards },
      ...(shape.anchoredWaits ? [{ And: [kindIs('wait'), { Variable: '$.d.until', IsPresent: true }], Next: STATE.waitUntil }] : []),
      { ...kindIs('wait'), Next: STATE.wait },
      ...(shape.crossAccountUpdates ? [{ And: [kindIs('update'), { Variable: '$.d.role', IsPresent: true }], Next: STATE.updateAs }] : []),
      { ...kindIs('update'), Next: STATE.update },
    ],
    Default: STATE.unknownStep,
  };
  states[STATE.unknownStep] = {
    Type: 'Pass',
    Parameters: { Error: UNKNOWN_STEP_ERROR, Cause: 'the driver described a kind of step this state machine cannot run (redeploy the study)' },
    ResultPath: '$.error',
    Next: STATE.stepFailed,
  };

  // burst
  const burstPayload = (dynamic: JsonObject): JsonObject => ({ action: 'burst', 'run.$': '$.run', ...dynamic });
  states[STATE.burstOne] = {
    ...invokeDriver(burstPayload({ 'step.$': '$.d.step', shard: 0, 'stepStartedAt.$': '$$.State.EnteredTime' }), DRIVER_THROTTLE_RETRY),
    ResultPath: null,
    Catch: catchInto(STATE.stepFailed),
    Next: STATE.afterStep,
  };
  states[STATE.burstShards] = {
    Type: 'Map',
    ItemsPath: '$.d.shards',
    MaxConcurrency: peakShards(plan),
    // Evaluated once for the Map state: every shard shares the step's start time, hence one barrier.
    ItemSelector: { 'run.$': '$.run', 'step.$': '$.d.step', 'shard.$': '$$.Map.Item.Value', 'at.$': '$$.State.EnteredTime' },
    ItemProcessor: {
      ProcessorConfig: { Mode: 'INLINE' },
      StartAt: STATE.burstShard,
      States: {
        [STATE.burstShard]: {
          ...invokeDriver(burstPayload({ 'step.$': '$.step', 'shard.$': '$.shard', 'stepStartedAt.$': '$.at' }), DRIVER_THROTTLE_RETRY),
          ResultPath: null,
          End: true,
        },
      },
    },
    ResultPath: null,
    Catch: catchInto(STATE.stepFailed),
    Next: STATE.afterStep,
  };

  // wait
  states[STATE.wait] = { Type: 'Wait', SecondsPath: '$.d.wholeSeconds', Next: STATE.afterStep };
  // Step Functions truncates a timestamp's milliseconds: the whole second at or after the anchor, so it never ends early.
  if (shape.anchoredWaits) states[STATE.waitUntil] = { Type: 'Wait', TimestampPath: '$.d.untilWholeSecond', Next: STATE.afterStep };

  // update: update → wait → poll → check (→ again → wait …) → AfterStep; too many polls → timeout → failed
  const updateTask = (credentials: boolean): TaskState => ({
    Type: 'Task',
    Resource: UPDATE_FUNCTION_CONFIGURATION,
    // Memory is always sent: the value the step leaves, unchanged for most updates.
    Parameters: { 'FunctionName.$': '$.d.target', Environment: { 'Variables.$': '$.d.env' }, 'MemorySize.$': '$.d.memoryMb' },
    ...(credentials ? { Credentials: { 'RoleArn.$': '$.d.role' } } : {}),
    TimeoutSeconds: SDK_CALL_TIMEOUT_SECONDS,
    // Poll state: n polls so far, w seconds to wait before the next.
    ResultSelector: { n: 0, w: UPDATE_POLL.firstWaitSeconds },
    ResultPath: '$.u',
    Retry: [UPDATE_RETRY],
    Catch: catchInto(STATE.stepFailed),
    Next: STATE.updateWait,
  });
  const pollTask = (credentials: boolean): TaskState => ({
    Type: 'Task',
    Resource: GET_FUNCTION_CONFIGURATION,
    Parameters: { 'FunctionName.$': '$.d.target' },
    ...(credentials ? { Credentials: { 'RoleArn.$': '$.d.role' } } : {}),
    TimeoutSeconds: SDK_CALL_TIMEOUT_SECONDS,
    ResultSelector: { 's.$': '$.LastUpdateStatus' },
    ResultPath: '$.p',
    Retry: [POLL_RETRY],
    Catch: catchInto(STATE.stepFailed),
    Next: STATE.updateCheck,
  });
  states[STATE.update] = updateTask(false);
  states[STATE.updateWait] = { Type: 'Wait', SecondsPath: '$.u.w', Next: shape.crossAccountUpdates ? STATE.pollRoute : STATE.poll };
  states[STATE.poll] = pollTask(false);
  if (shape.crossAccountUpdates) {
    states[STATE.updateAs] = updateTask(true);
    states[STATE.pollRoute] = { Type: 'Choice', Choices: [{ Variable: '$.d.role', IsPresent: true, Next: STATE.pollAs }], Default: STATE.poll };
    states[STATE.pollAs] = pollTask(true);
  }
  states[STATE.updateCheck] = {
    Type: 'Choice',
    Choices: [
      { Variable: '$.p.s', StringEquals: 'Successful', Next: STATE.afterStep },
      {
        And: [
          { Variable: '$.p.s', StringEquals: 'InProgress' },
          { Variable: '$.u.n', NumericLessThan: UPDATE_POLL.maxPolls - 1 },
        ],
        Next: STATE.updateAgain,
      },
    ],
    Default: STATE.updateTimeout,
  };
  states[STATE.updateAgain] = {
    Type: 'Pass',
    Parameters: { 'n.$': 'States.MathAdd($.u.n, 1)', 'w.$': 'States.MathAdd($.u.w, $.u.w)' },
    ResultPath: '$.u',
    Next: STATE.updateWait,
  };
  states[STATE.updateTimeout] = {
    Type: 'Pass',
    Parameters: {
      Error: UPDATE_NOT_APPLIED_ERROR,
      'Cause.$': "States.Format('{} reported LastUpdateStatus {} after {} polls', $.d.function, $.p.s, States.MathAdd($.u.n, 1))",
    },
    ResultPath: '$.error',
    Next: STATE.stepFailed,
  };

  // after a step
  states[STATE.afterStep] = {
    Type: 'Choice',
    Choices: [
      { Variable: '$.d.then', StringEquals: 'finish', Next: STATE.finishRun },
      { Variable: '$.d.then', StringEquals: 'hand-over', Next: STATE.handOver },
    ],
    Default: STATE.describe,
  };
  states[STATE.handOver] = {
    Type: 'Task',
    Resource: START_EXECUTION,
    Parameters: {
      'StateMachineArn.$': '$$.StateMachine.Id',
      'Name.$': "States.Format('{}-s{}', $.run, $.d.nextSegment)",
      Input: { 'run.$': '$.run', 'next.$': '$.d.next', 'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id' },
    },
    TimeoutSeconds: SDK_CALL_TIMEOUT_SECONDS,
    ResultPath: null,
    Retry: [HANDOVER_RETRY],
    Catch: catchInto(STATE.nextFailed),
    Next: STATE.handedOver,
  };
  states[STATE.handedOver] = { Type: 'Succeed', Comment: 'The next execution goes on with the run.' };
  states[STATE.finishRun] = {
    ...invokeDriver({ action: 'finish-run', 'run.$': '$.run', status: 'completed', 'stepsCompleted.$': '$.d.next', failures: [] }, DRIVER_CONTROL_RETRY),
    ResultPath: null,
    Catch: catchInto(STATE.nextFailed),
    End: true,
  };

  // the failure path: where (from the driver's answer), then one record in the shape of the driver's finish-run event
  states[STATE.stepFailed] = { Type: 'Pass', InputPath: '$.d.failure', ResultPath: '$.f', Next: STATE.failure };
  states[STATE.nextFailed] = { Type: 'Pass', InputPath: '$.d.nextFailure', ResultPath: '$.f', Next: STATE.failure };
  const failureRecord = (message: string): PassState => ({
    Type: 'Pass',
    Parameters: { 'run.$': '$.run', 'completed.$': '$.f.completed', failure: { 'step.$': '$.f.step', shard: null, 'message.$': message } },
    // No ResultPath: the default ("$") makes these parameters the whole state.
    Next: STATE.finishFailed,
  });
  states[STATE.failure] = {
    Type: 'Choice',
    Comment: 'Caught errors carry Error and usually Cause; a missing field must not be read (States.Runtime cannot be caught).',
    Choices: [
      { And: [{ Variable: '$.error.Error', IsPresent: true }, { Variable: '$.error.Cause', IsPresent: true }], Next: STATE.failureWithCause },
      { Variable: '$.error.Error', IsPresent: true, Next: STATE.failureWithoutCause },
    ],
    Default: STATE.failureUnknown,
  };
  states[STATE.failureWithCause] = failureRecord("States.Format('{} failed: {}: {}', $.f.where, $.error.Error, $.error.Cause)");
  states[STATE.failureWithoutCause] = failureRecord("States.Format('{} failed: {}', $.f.where, $.error.Error)");
  states[STATE.failureUnknown] = failureRecord("States.Format('{} failed: {}', $.f.where, States.JsonToString($.error))");
  states[STATE.finishFailed] = {
    ...invokeDriver(
      { action: 'finish-run', 'run.$': '$.run', status: 'failed', 'stepsCompleted.$': '$.completed', 'failures.$': 'States.Array($.failure)' },
      DRIVER_CONTROL_RETRY,
    ),
    ResultPath: null,
    // Nothing is left to record if even this fails: end the execution as failed, keeping the original cause.
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.finishError', Next: STATE.runFailed }],
    Next: STATE.runFailed,
  };
  states[STATE.runFailed] = { Type: 'Fail', Error: RUN_FAILED_ERROR, CausePath: '$.failure.message' };

  return {
    Comment: `Curtain study ${plan.study.id} (plan ${plan.hash.slice(0, 12)}) on ${plan.provider} ${plan.region}: walks the plan's steps as the driver describes them`,
    StartAt: STATE.begin,
    TimeoutSeconds: executionTimeoutSeconds(segmentation),
    States: states,
  };
}
