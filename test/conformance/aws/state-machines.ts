/**
 * Every state machine of a template, as CloudFormation would create it
 * (intrinsics resolved), checked with asl-validator and against Step
 * Functions' limits; and executed by aws-local-stepfunctions with each Task
 * failing in turn with errors of every shape, to show that every failure path
 * still reaches the driver's finish-run (so run.json is closed).
 *
 * Nothing here knows how the compiler lays states out: it walks whatever
 * definition the template holds, and recognises the driver only by the
 * driver-event contract (`action: 'finish-run'` in a Lambda invoke payload),
 * so it holds any generated orchestrator to the same rule.
 */
import { StateMachine } from 'aws-local-stepfunctions';
import { CLOUD_LIMITS, describeLimit } from '../../../experiments/capabilities';
import type { Finding } from '../support/findings';
import { createResolver, type DeployEnv } from '../../../twins/aws/resolve-intrinsics';

type Json = Record<string, unknown>;
type Resources = Record<string, { Type: string; Properties?: Json }>;

const validateAsl = require('asl-validator') as (definition: unknown) => { isValid: boolean; errorsText(): string };

export interface DeployedStateMachine {
  artifact: string;
  definition: Json;
  /** Compact JSON as Step Functions stores it. */
  bytes: number;
}

export function stateMachinesOf(stackName: string, resources: Resources, env: DeployEnv): DeployedStateMachine[] {
  const resolver = createResolver(resources, env);
  return Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine')
    .map(([logicalId, r]) => {
      const props = r.Properties ?? {};
      const raw = props.DefinitionString !== undefined ? String(resolver.resolve(props.DefinitionString)) : JSON.stringify(resolver.resolve(props.Definition));
      let text = raw;
      for (const [name, value] of Object.entries((props.DefinitionSubstitutions as Json | undefined) ?? {})) text = text.split(`\${${name}}`).join(String(resolver.resolve(value)));
      const definition = JSON.parse(text) as Json;
      return { artifact: `${stackName}/${logicalId}`, definition, bytes: Buffer.byteLength(JSON.stringify(definition)) };
    });
}

export function checkStateMachine(machine: DeployedStateMachine): { asl: Finding[]; limits: Finding[] } {
  const asl: Finding[] = [];
  const result = validateAsl(machine.definition);
  if (!result.isValid) asl.push({ artifact: machine.artifact, field: 'DefinitionString', reference: 'asl-validator (Amazon States Language)', message: result.errorsText() });
  const limits: Finding[] = [];
  const definitionLimit = CLOUD_LIMITS.aws.stateMachineDefinitionBytes;
  if (machine.bytes > definitionLimit.value) limits.push({ artifact: machine.artifact, field: 'DefinitionString', reference: describeLimit(definitionLimit), message: `${machine.bytes} bytes` });
  const timeout = machine.definition.TimeoutSeconds as number | undefined;
  const executionLimit = CLOUD_LIMITS.aws.executionSeconds;
  if (timeout === undefined || timeout > executionLimit.value) limits.push({ artifact: machine.artifact, field: 'TimeoutSeconds', reference: describeLimit(executionLimit), message: `${timeout ?? 'unset'}: an execution must end by itself within the limit` });
  return { asl, limits };
}

// ---- failure paths -----------------------------------------------------------------------

/**
 * Error shapes a Task can fail with in Step Functions: a Lambda error with a
 * Cause, one without (e.g. States.Timeout, an SDK error whose message is
 * empty), a JSON Cause, an empty Cause, and a Cause with characters that
 * intrinsic functions treat specially.
 */
export const ERROR_SHAPES: { name: string; error: string; cause: string | undefined }[] = [
  { name: 'Error and Cause', error: 'Lambda.ServiceException', cause: 'the service failed' },
  { name: 'Error without Cause', error: 'States.Timeout', cause: undefined },
  { name: 'JSON Cause', error: 'DriverRefusedError', cause: JSON.stringify({ errorMessage: 'refused', errorType: 'DriverRefusedError', trace: ['a', 'b'] }) },
  { name: 'empty Cause', error: 'States.TaskFailed', cause: '' },
  { name: 'Cause with braces and quotes', error: 'Curtain.Weird', cause: "{} ' \" \\ {x} \n ünïcödé" },
];

function errorOf(shape: (typeof ERROR_SHAPES)[number]): Error {
  const error = new Error(shape.cause ?? '');
  error.name = shape.error;
  // aws-local-stepfunctions copies `message` into the catcher's Cause: undefined leaves Cause out, as Step Functions does.
  if (shape.cause === undefined) Object.defineProperty(error, 'message', { value: undefined });
  return error;
}

type StatesMap = Record<string, Json & { Type: string; Resource?: string; ItemProcessor?: { States: StatesMap } }>;

/** Every Task state (including those inside Map item processors). */
export function taskStates(definition: Json): { name: string; resource: string }[] {
  const out: { name: string; resource: string }[] = [];
  const visit = (states: StatesMap) => {
    for (const [name, state] of Object.entries(states)) {
      if (state.Type === 'Task') out.push({ name, resource: String(state.Resource) });
      if (state.ItemProcessor) visit(state.ItemProcessor.States);
      if (state.Iterator) visit((state.Iterator as { States: StatesMap }).States);
    }
  };
  visit(definition.States as StatesMap);
  return out;
}

/**
 * Answers the driver's invocations, for definitions that ask the driver what
 * to do (describe-step): made fresh for each run, from the study's plan and
 * deployment (test/targets/recording-driver.ts). Without one, every
 * invocation answers `{ok: true}`.
 */
export type DriverFactory = () => (payload: Json) => unknown;

/** A plausible successful answer for each kind of Task resource. */
function successFor(resource: string, payload: Json | undefined, driver: ((payload: Json) => unknown) | undefined): unknown {
  if (resource.endsWith(':getFunctionConfiguration')) return { LastUpdateStatus: 'Successful', State: 'Active' };
  if (resource.endsWith(':updateFunctionConfiguration')) return { LastUpdateStatus: 'InProgress' };
  if (resource.endsWith(':startExecution')) return { ExecutionArn: 'arn:aws:states:us-east-1:123456789012:execution:next', StartDate: '2026-12-06T00:00:00.000Z' };
  return { StatusCode: 200, Payload: driver && payload ? driver(payload) : { ok: true } };
}

export interface FailureRun {
  failingState: string;
  shape: string;
  /** Whether the failing state was reached at all (a single failure cannot reach some states). */
  failed: boolean;
  finishRunStatuses: string[];
  /** Whether the execution handed the run over to a next execution (continue as new) instead of closing it. */
  handedOver: boolean;
  executionError: string | null;
}

/** A definition ready to run many times: Wait states skipped, retriers removed (they would wait seconds between attempts). */
export interface Runnable {
  machine: StateMachine;
  tasks: Map<string, string>;
  waits: Record<string, number>;
}

export function prepareRun(definition: Json): Runnable {
  const tasks = new Map<string, string>();
  const waits: Record<string, number> = {};
  const visit = (states: StatesMap) => {
    for (const [name, state] of Object.entries(states)) {
      if (state.Type === 'Wait') waits[name] = 0;
      if (state.ItemProcessor) visit(state.ItemProcessor.States);
      if (state.Type === 'Task') tasks.set(name, String(state.Resource));
    }
  };
  visit(definition.States as StatesMap);
  // The error shapes below are what a Task leaves once its retriers are exhausted.
  const withoutRetries = JSON.parse(JSON.stringify(definition), (key, value) => (key === 'Retry' ? undefined : value)) as Json;
  return { machine: new StateMachine(withoutRetries as never, { validationOptions: { checkArn: true, checkPaths: true } }), tasks, waits };
}

/** Runs the definition with `failing` throwing `shape`, every other Task succeeding. */
export async function runWithFailure(runnable: Runnable | Json, failing: string, shape: (typeof ERROR_SHAPES)[number], driverFactory?: DriverFactory): Promise<FailureRun> {
  const { machine, tasks, waits } = 'machine' in runnable ? (runnable as Runnable) : prepareRun(runnable);
  const finish: string[] = [];
  let failed = false;
  let handedOver = false;
  const driver = driverFactory?.();
  const handlers: Record<string, (input: unknown) => unknown> = {};
  for (const [name, resource] of tasks) {
    handlers[name] = (input) => {
      const payload = (input as { Payload?: Json }).Payload;
      if (payload?.action === 'finish-run') finish.push(String(payload.status));
      if (name === failing) {
        failed = true;
        throw errorOf(shape);
      }
      if (resource.endsWith(':startExecution')) handedOver = true;
      return successFor(resource, payload, driver);
    };
  }
  const execution = machine.run(
    {},
    {
      overrides: { taskResourceLocalHandlers: handlers as never, waitTimeOverrides: waits },
      context: {
        Execution: { Name: '20261206T000000Z-conformance', Id: 'arn:aws:states:us-east-1:123456789012:execution:conformance:20261206T000000Z-conformance' },
        StateMachine: { Id: 'arn:aws:states:us-east-1:123456789012:stateMachine:conformance' },
        State: { EnteredTime: '2026-12-06T00:00:00.000Z' },
      },
    },
  );
  let executionError: string | null = null;
  try {
    await execution.result;
  } catch (error) {
    executionError = `${(error as Error).name}: ${(error as Error).message}`;
  }
  return { failingState: failing, shape: shape.name, failed, finishRunStatuses: finish, handedOver, executionError };
}

/**
 * Findings for every (Task, error shape) after which the run is not closed:
 * the driver must get a finish-run with status failed, unless the failing
 * Task is itself the finish-run of a failed run (nothing is left to record).
 */
export async function checkFailurePaths(machine: DeployedStateMachine, maxTasks = Number.POSITIVE_INFINITY, driverFactory?: DriverFactory): Promise<{ findings: Finding[]; runs: number }> {
  const findings: Finding[] = [];
  let runs = 0;
  const all = taskStates(machine.definition);
  // A long schedule repeats the same state groups: its first Tasks (start, reset, first steps) and last ones (last
  // steps, finish) stand for it. Few from the end: a failure there runs the whole schedule first.
  const tail = Math.min(4, Math.floor(maxTasks / 4));
  const tasks = all.length <= maxTasks ? all : [...all.slice(0, maxTasks - tail), ...all.slice(all.length - tail)];
  const runnable = prepareRun(machine.definition);
  const clean = await runWithFailure(runnable, '<none>', ERROR_SHAPES[0]!, driverFactory);
  for (const task of tasks) {
    for (const shape of ERROR_SHAPES) {
      const run = await runWithFailure(runnable, task.name, shape, driverFactory);
      runs += 1;
      // Unreached with a single failure (the failure path's own states), or the failure path's own finish-run: nothing is left to record.
      if (!run.failed || isFailedFinish(machine, task.name)) continue;
      if (!run.finishRunStatuses.includes('failed')) {
        findings.push({
          artifact: machine.artifact,
          field: `States.${task.name}`,
          reference: 'aws-local-stepfunctions execution; docs/aws.md (every failure closes run.json through finish-run)',
          message: `a failure with ${shape.name} (${shape.error}) ends the execution without finish-run(failed): finish-run calls ${JSON.stringify(run.finishRunStatuses)}, execution ${run.executionError ?? 'succeeded'}`,
        });
      }
    }
  }
  // A run without failures closes the run, or hands it over to the next execution (a run split into several).
  const closed = JSON.stringify(clean.finishRunStatuses) === '["completed"]' || (clean.handedOver && clean.finishRunStatuses.length === 0);
  if (clean.executionError !== null || !closed) {
    findings.push({ artifact: machine.artifact, field: 'States', reference: 'aws-local-stepfunctions execution', message: `a run without failures does not complete: ${JSON.stringify(clean)}` });
  }
  return { findings, runs };
}

/** Whether `name` is a Task whose payload is finish-run with status failed (the failure path's own call). */
function isFailedFinish(machine: DeployedStateMachine, name: string): boolean {
  const state = (machine.definition.States as StatesMap)[name];
  const payload = (state?.Parameters as { Payload?: Json } | undefined)?.Payload;
  return payload?.action === 'finish-run' && payload.status === 'failed';
}
