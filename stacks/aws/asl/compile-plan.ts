/**
 * compilePlan: StudyPlan → Step Functions state machine definition (ASL).
 *
 * A pure function of the plan, the names it addresses and the policy
 * constants: the same plan always gives the same definition. The machine is a
 * straight line of states, one group per plan step, in plan order:
 *
 *   Init → StartRun → [reset probes] → step 0 → step 1 → … → FinishRun
 *
 *   wait    a Wait state (seconds rounded up: Wait takes whole seconds)
 *   burst   one driver invocation {action: burst, step, shard 0, stepStartedAt};
 *           a Map over the shard indices when the plan splits the burst
 *   update  updateFunctionConfiguration with the function's full environment
 *           (CURTAIN_GENERATION set to the step's generation) and MemorySize for
 *           memory changes, then getFunctionConfiguration polled with doubling
 *           waits until LastUpdateStatus is Successful (a bounded number of polls)
 *
 * Every state that can fail is caught into one path (Failure → Failure_* →
 * FinishFailed → RunFailed) that still calls the driver's finish-run with
 * status `failed`, the failing step and the number of steps completed, so
 * run.json is closed. Caught errors do not always carry a `Cause` (Step
 * Functions omits it, e.g. for States.Timeout), and a path that does not exist
 * is a States.Runtime error no Catch can handle: Failure is a Choice that
 * formats the message only from the fields the error has.
 *
 * The run id is the execution name (`curtain start` names executions after the
 * run), so a run and its execution are one thing.
 *
 * Before the first step, functions that any update step reconfigures are reset
 * to the configuration the plan deploys: a previous run left them at its last
 * generation (or memory), and the steps before their first update must see the
 * plan's initial configuration, as on a fresh deployment.
 */
import { DRIVER_EVENT_VERSION } from '../../../probe-runtime/contracts/driver-event';
import type { BurstStep, StudyPlan } from '../../../experiments/plan-schema';
import { configurationAfter, type FunctionConfiguration, initialConfiguration, updatedFunctions } from '../../../experiments/plan-queries';
import type { JsonObject, MapState, PassState, State, StateMachineDefinition, TaskState } from './asl-types';
import {
  DRIVER_CONTROL_RETRY,
  DRIVER_THROTTLE_RETRY,
  POLL_RETRY,
  SDK_CALL_TIMEOUT_SECONDS,
  UPDATE_POLL,
  UPDATE_RETRY,
  driverTimeoutSeconds,
} from './orchestration-policy';
import { executionTimeoutSeconds } from './bounds';

/** What the state machine addresses. Names or ARNs, literal or CloudFormation substitution placeholders (`${Name}`). */
export interface AslTargets {
  /** The driver function (name or ARN). */
  driver: string;
  /** Each plan function key → the name or ARN update steps reconfigure. */
  functions: Record<string, string>;
  /** Function key → role the orchestrator assumes to reconfigure it (a second tenant's account); absent: its own role. */
  updateRoles?: Record<string, string>;
}

export interface CompileOptions {
  /** Reset updated functions to their deployed configuration before the first step (default true). */
  resetBeforeRun?: boolean;
}

export const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
export const UPDATE_FUNCTION_CONFIGURATION = 'arn:aws:states:::aws-sdk:lambda:updateFunctionConfiguration';
export const GET_FUNCTION_CONFIGURATION = 'arn:aws:states:::aws-sdk:lambda:getFunctionConfiguration';

/** Names of the fixed states (capitalised: plan step ids start with digits, so they cannot clash). */
export const STATE = {
  init: 'Init',
  startRun: 'StartRun',
  finishRun: 'FinishRun',
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

/** Helper states of a step are named `<step id>_<role>`: step ids use only [a-z0-9-], so `_` cannot clash. */
export function helperState(base: string, role: 'failed' | 'shard' | 'wait' | 'poll' | 'check' | 'again' | 'timeout'): string {
  return `${base}_${role}`;
}

/** The state group that resets a function before the first step. */
export function resetState(functionKey: string): string {
  return `Reset_${functionKey}`;
}

/** Key under `$.k` holding the shard indices of an n-shard burst (written once by StartRun). */
function shardListKey(shards: number): string {
  return `s${shards}`;
}

export function compilePlan(plan: StudyPlan, targets: AslTargets, options: CompileOptions = {}): StateMachineDefinition {
  const resetBeforeRun = options.resetBeforeRun ?? true;
  const functionsByKey = new Map(plan.functions.map((f) => [f.key, f]));
  const addressOf = (key: string): string => {
    const address = targets.functions[key];
    if (!address) throw new Error(`compilePlan: no target for plan function "${key}"`);
    return address;
  };
  const driverTaskTimeout = driverTimeoutSeconds(plan) + 60;
  const common = { v: DRIVER_EVENT_VERSION, study: plan.study.id, planHash: plan.hash };
  const states: Record<string, State> = {};

  const invokeDriver = (payload: JsonObject, retry: typeof DRIVER_THROTTLE_RETRY): Omit<TaskState, 'ResultPath'> => ({
    Type: 'Task',
    Resource: LAMBDA_INVOKE,
    Parameters: { FunctionName: targets.driver, Payload: payload },
    TimeoutSeconds: driverTaskTimeout,
    Retry: [retry],
  });
  const catchInto = (failedState: string) => [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: failedState }];
  /** Records where the run failed, then joins the common failure path. */
  const failedMarker = (name: string, step: number, completed: number, where: string): void => {
    states[name] = { Type: 'Pass', Result: { step, completed, where }, ResultPath: '$.f', Next: STATE.failure };
  };

  const updated = updatedFunctions(plan);

  // Shard index lists for multi-shard bursts, kept in the execution state under $.k.
  const shardCounts = [...new Set(plan.steps.flatMap((s) => (s.kind === 'burst' && s.shards > 1 ? [s.shards] : [])))].sort((a, b) => a - b);
  const shardLists: JsonObject = {};
  for (const n of shardCounts) shardLists[shardListKey(n)] = Array.from({ length: n }, (_, i) => i);

  const resetKeys = resetBeforeRun ? [...updated.keys()] : [];
  const firstStepState = plan.steps[0]!.id;
  const afterStart = resetKeys.length > 0 ? resetState(resetKeys[0]!) : firstStepState;

  states[STATE.init] = {
    Type: 'Pass',
    Comment: 'The run id is the execution name.',
    Parameters: { 'run.$': '$$.Execution.Name' },
    Next: STATE.startRun,
  };
  states[STATE.startRun] = {
    ...invokeDriver({ ...common, action: 'start-run', 'run.$': '$.run' }, DRIVER_CONTROL_RETRY),
    ...(shardCounts.length > 0 ? { ResultSelector: shardLists, ResultPath: '$.k' } : { ResultPath: null }),
    Catch: catchInto(helperState(STATE.startRun, 'failed')),
    Next: afterStart,
  };
  failedMarker(helperState(STATE.startRun, 'failed'), -1, 0, STATE.startRun);

  // Reset phase: each updated function back to the configuration the plan deploys.
  resetKeys.forEach((key, i) => {
    const fn = functionsByKey.get(key)!;
    const next = i + 1 < resetKeys.length ? resetState(resetKeys[i + 1]!) : firstStepState;
    const failed = helperState(resetState(key), 'failed');
    addUpdateStates(resetState(key), key, initialConfiguration(fn), updated.get(key)!.memory, next, failed);
    failedMarker(failed, -1, 0, resetState(key));
  });

  // The plan's steps, in order. Configurations evolve as update steps apply.
  const current = new Map(plan.functions.map((f) => [f.key, initialConfiguration(f)]));
  plan.steps.forEach((step, i) => {
    const next = i + 1 < plan.steps.length ? plan.steps[i + 1]!.id : STATE.finishRun;
    const failed = helperState(step.id, 'failed');
    switch (step.kind) {
      case 'wait':
        states[step.id] = { Type: 'Wait', Seconds: Math.ceil(step.seconds), Next: next };
        return;
      case 'burst':
        states[step.id] = step.shards > 1 ? burstMap(step, next, failed) : burstTask(step, next, failed);
        failedMarker(failed, step.index, step.index, step.id);
        return;
      case 'update': {
        const config = configurationAfter(current.get(step.function)!, step);
        current.set(step.function, config);
        addUpdateStates(step.id, step.function, config, step.change.kind === 'memory', next, failed);
        failedMarker(failed, step.index, step.index, step.id);
        return;
      }
    }
  });

  states[STATE.finishRun] = {
    ...invokeDriver({ ...common, action: 'finish-run', 'run.$': '$.run', status: 'completed', stepsCompleted: plan.steps.length, failures: [] }, DRIVER_CONTROL_RETRY),
    ResultPath: null,
    Catch: catchInto(helperState(STATE.finishRun, 'failed')),
    End: true,
  };
  failedMarker(helperState(STATE.finishRun, 'failed'), -1, plan.steps.length, STATE.finishRun);

  // One failure record in the shape of the driver's finish-run event, from whatever the caught error holds.
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
      { ...common, action: 'finish-run', 'run.$': '$.run', status: 'failed', 'stepsCompleted.$': '$.completed', 'failures.$': 'States.Array($.failure)' },
      DRIVER_CONTROL_RETRY,
    ),
    ResultPath: null,
    // Nothing is left to record if even this fails: end the execution as failed, keeping the original cause.
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.finishError', Next: STATE.runFailed }],
    Next: STATE.runFailed,
  };
  states[STATE.runFailed] = { Type: 'Fail', Error: RUN_FAILED_ERROR, CausePath: '$.failure.message' };

  return {
    Comment: `Curtain study ${plan.study.id} (plan ${plan.hash.slice(0, 12)}, ${plan.steps.length} steps) on ${plan.provider} ${plan.region}`,
    StartAt: STATE.init,
    TimeoutSeconds: executionTimeoutSeconds(plan, { resetFunctions: resetKeys.length }),
    States: states,
  };

  function burstPayload(step: BurstStep, dynamic: JsonObject): JsonObject {
    return { ...common, action: 'burst', step: step as unknown as JsonObject, ...dynamic };
  }

  function burstTask(step: BurstStep, next: string, failed: string): TaskState {
    return {
      ...invokeDriver(burstPayload(step, { 'run.$': '$.run', shard: 0, 'stepStartedAt.$': '$$.State.EnteredTime' }), DRIVER_THROTTLE_RETRY),
      ResultPath: null,
      Catch: catchInto(failed),
      Next: next,
    };
  }

  function burstMap(step: BurstStep, next: string, failed: string): MapState {
    const inner = helperState(step.id, 'shard');
    return {
      Type: 'Map',
      ItemsPath: `$.k.${shardListKey(step.shards)}`,
      MaxConcurrency: step.shards,
      // Evaluated once for the Map state: every shard shares the step's start time, hence one barrier.
      ItemSelector: { 'run.$': '$.run', 'shard.$': '$$.Map.Item.Value', 'at.$': '$$.State.EnteredTime' },
      ItemProcessor: {
        ProcessorConfig: { Mode: 'INLINE' },
        StartAt: inner,
        States: {
          [inner]: {
            ...invokeDriver(burstPayload(step, { 'run.$': '$.run', 'shard.$': '$.shard', 'stepStartedAt.$': '$.at' }), DRIVER_THROTTLE_RETRY),
            ResultPath: null,
            End: true,
          },
        },
      },
      ResultPath: null,
      Catch: catchInto(failed),
      Next: next,
    };
  }

  /** update → wait → poll → check (→ again → wait …) → next; too many polls → timeout → failed. */
  function addUpdateStates(base: string, key: string, config: FunctionConfiguration, setMemory: boolean, next: string, failed: string): void {
    const address = addressOf(key);
    const role = targets.updateRoles?.[key];
    const credentials = role ? { Credentials: { RoleArn: role } } : {};
    const [wait, poll, check, again, timeout] = (['wait', 'poll', 'check', 'again', 'timeout'] as const).map((r) => helperState(base, r));
    const parameters: JsonObject = { FunctionName: address, Environment: { Variables: sortedEnv(config.env) } };
    if (setMemory) parameters.MemorySize = config.memoryMb;
    states[base] = {
      Type: 'Task',
      Resource: UPDATE_FUNCTION_CONFIGURATION,
      Parameters: parameters,
      ...credentials,
      TimeoutSeconds: SDK_CALL_TIMEOUT_SECONDS,
      // Poll state: n polls so far, w seconds to wait before the next.
      ResultSelector: { n: 0, w: UPDATE_POLL.firstWaitSeconds },
      ResultPath: '$.u',
      Retry: [UPDATE_RETRY],
      Catch: catchInto(failed),
      Next: wait,
    };
    states[wait] = { Type: 'Wait', SecondsPath: '$.u.w', Next: poll };
    states[poll] = {
      Type: 'Task',
      Resource: GET_FUNCTION_CONFIGURATION,
      Parameters: { FunctionName: address },
      ...credentials,
      TimeoutSeconds: SDK_CALL_TIMEOUT_SECONDS,
      ResultSelector: { 's.$': '$.LastUpdateStatus' },
      ResultPath: '$.p',
      Retry: [POLL_RETRY],
      Catch: catchInto(failed),
      Next: check,
    };
    states[check] = {
      Type: 'Choice',
      Choices: [
        { Variable: '$.p.s', StringEquals: 'Successful', Next: next },
        {
          And: [
            { Variable: '$.p.s', StringEquals: 'InProgress' },
            { Variable: '$.u.n', NumericLessThan: UPDATE_POLL.maxPolls - 1 },
          ],
          Next: again,
        },
      ],
      Default: timeout,
    };
    states[again] = {
      Type: 'Pass',
      Parameters: { 'n.$': 'States.MathAdd($.u.n, 1)', 'w.$': 'States.MathAdd($.u.w, $.u.w)' },
      ResultPath: '$.u',
      Next: wait,
    };
    states[timeout] = {
      Type: 'Pass',
      Parameters: {
        Error: UPDATE_NOT_APPLIED_ERROR,
        'Cause.$': `States.Format('${key} reported LastUpdateStatus {} after {} polls', $.p.s, States.MathAdd($.u.n, 1))`,
      },
      ResultPath: '$.error',
      Next: failed,
    };
  }
}

function sortedEnv(env: Record<string, string>): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(env).sort()) out[key] = env[key]!;
  return out;
}
