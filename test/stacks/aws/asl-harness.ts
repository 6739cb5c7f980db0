/**
 * Runs a compiled state machine in aws-local-stepfunctions the way Step
 * Functions would run a study's executions: every Lambda invocation goes to a
 * recording driver (test/targets/recording-driver.ts: the driver's own checks
 * and describe-step), configuration updates to a fake Lambda that applies them
 * and reports InProgress then Successful, Wait states are skipped (unless a
 * test asks the engine to wait in some: `realWaits`), and a
 * StartExecution of the next segment is recorded and then run as the next
 * execution, as Step Functions would start it.
 */
import { StateMachine } from 'aws-local-stepfunctions';
import type { StudyPlan } from '../../../experiments/plan-schema';
import type { DriverEvent } from '../../../probe-runtime/contracts/driver-event';
import type { StateMachineDefinition, State } from '../../../stacks/aws/asl/asl-types';
import { GET_FUNCTION_CONFIGURATION, LAMBDA_INVOKE, START_EXECUTION, STATE, UPDATE_FUNCTION_CONFIGURATION } from '../../../stacks/aws/asl/compile-plan';
import type { Deployment } from '../../../probe-runtime/contracts/deployment';
import { TRACE_RUN } from '../../targets/orchestrator-trace';
import { type DriverFaults, recordingDriver } from '../../targets/recording-driver';

/** The run id every orchestrator trace starts its run with. */
export const RUN = TRACE_RUN;
/** The first execution's input, as `curtain start` gives it: the run id and the deployed template's hash. */
export const START_INPUT = { run: RUN, templateHash: 'd'.repeat(64) };
export const ENTERED = '2026-11-26T12:00:00.000Z';
export const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:curtain-test';

type Json = Record<string, unknown>;

/** What the orchestrator did, in order, across executions. */
export type AwsCall =
  | { kind: 'driver'; payload: Json; execution: string }
  /** `reset`: the update of a reset before step 0 (the last step the driver described was below 0). */
  | { kind: 'update'; target: string; env: Record<string, string>; memory: number; role: string | null; reset: boolean; execution: string }
  | { kind: 'poll'; target: string; execution: string }
  | { kind: 'start-execution'; name: string; input: Json; stateMachine: string; execution: string };

export interface AwsBehaviour extends DriverFaults {
  /** How many polls report InProgress before Successful (Infinity: never). */
  pollsInProgress?: number;
  /** Throw this error from a non-driver Task (update, poll, start-execution) when asked. */
  failTask?: (call: Exclude<AwsCall, { kind: 'driver' }>) => Error | undefined;
  /** Stop after this many executions (a runaway hand-over loop fails the test instead of hanging). */
  maxExecutions?: number;
  /** Wait states the engine really waits in (the others are skipped), e.g. the anchored WaitUntil. */
  realWaits?: string[];
  /** The run's start the recording driver answers start-run with (default RUN_STARTED_AT). */
  runStartedAt?: string;
}

/** A Wait state the machine entered, with the seconds its input told it to wait (or, anchored, the instant to wait until). */
export type AwsWait = { kind: 'wait'; state: string; seconds: number; execution: string } | { kind: 'wait-until'; state: string; until: string; execution: string };

export interface AwsRun {
  calls: AwsCall[];
  /** Calls and waits in execution order (from the engine's event log), across executions. */
  timeline: (AwsCall | AwsWait)[];
  /** Driver events accepted, in order. */
  events: DriverEvent[];
  /** Execution names, in the order they ran. */
  executions: string[];
  /** Each execution's outcome: null when it succeeded, else its error. */
  errors: (Error | null)[];
  /** Each function's configuration as the fake Lambda holds it at the end. */
  configurations: Map<string, { env: Record<string, string>; memory: number }>;
  deployment: Deployment;
}

export async function runExecutions(plan: StudyPlan, definition: StateMachineDefinition, deploymentOrchestration: Deployment['orchestration'], behaviour: AwsBehaviour = {}): Promise<AwsRun> {
  const driver = recordingDriver(plan, deploymentOrchestration, behaviour, undefined, behaviour.runStartedAt);
  const calls: AwsCall[] = [];
  const timeline: (AwsCall | AwsWait)[] = [];
  let lastDescribed = Number.NaN;
  // A previous run left every function at another generation: the resets must put them back.
  const configurations = new Map<string, { env: Record<string, string>; memory: number }>(
    plan.functions.map((f) => [`fn-${f.key}`, { env: { ...f.env, CURTAIN_GENERATION: 'stale' }, memory: f.memoryMb }]),
  );
  const polls = new Map<string, number>();
  const queue: { name: string; input: Json }[] = [{ name: RUN, input: START_INPUT }];
  const executions: string[] = [];
  const errors: (Error | null)[] = [];
  const machine = new StateMachine(definition as unknown as ConstructorParameters<typeof StateMachine>[0], { validationOptions: { checkArn: true, checkPaths: true } });
  const waits: Record<string, number> = {};
  const tasks = new Map<string, string>();
  const visit = (states: Record<string, State>) => {
    for (const [name, state] of Object.entries(states)) {
      if (state.Type === 'Wait' && !behaviour.realWaits?.includes(name)) waits[name] = 0;
      if (state.Type === 'Map') visit(state.ItemProcessor.States);
      if (state.Type === 'Task') tasks.set(name, state.Resource);
    }
  };
  visit(definition.States);

  while (queue.length > 0) {
    if (executions.length >= (behaviour.maxExecutions ?? 1000)) throw new Error(`more than ${executions.length} executions`);
    const { name, input } = queue.shift()!;
    executions.push(name);
    const byState = new Map<string, AwsCall[]>();
    const record = (state: string, call: AwsCall) => {
      calls.push(call);
      byState.set(state, [...(byState.get(state) ?? []), call]);
    };
    const fail = (state: string, call: Exclude<AwsCall, { kind: 'driver' }>) => {
      record(state, call);
      const error = behaviour.failTask?.(call);
      if (error) throw error;
    };
    const handlers: Record<string, (input: unknown) => unknown> = {};
    for (const [state, resource] of tasks) {
      handlers[state] = (raw) => {
        const params = raw as Json;
        const role = ((params as { Credentials?: { RoleArn?: string } }).Credentials?.RoleArn) ?? null;
        switch (resource) {
          case LAMBDA_INVOKE: {
            const payload = params.Payload as Json;
            record(state, { kind: 'driver', payload, execution: name });
            if (payload.action === 'describe-step') lastDescribed = payload.index as number;
            return { StatusCode: 200, Payload: driver.handle(JSON.parse(JSON.stringify(payload))) };
          }
          case UPDATE_FUNCTION_CONFIGURATION: {
            const target = String(params.FunctionName);
            const env = (params.Environment as { Variables: Record<string, string> }).Variables;
            const memory = params.MemorySize as number;
            fail(state, { kind: 'update', target, env, memory, role, reset: lastDescribed < 0, execution: name });
            configurations.set(target, { env: { ...env }, memory });
            polls.set(target, 0);
            return { LastUpdateStatus: 'InProgress' };
          }
          case GET_FUNCTION_CONFIGURATION: {
            const target = String(params.FunctionName);
            fail(state, { kind: 'poll', target, execution: name });
            const n = (polls.get(target) ?? 0) + 1;
            polls.set(target, n);
            return { LastUpdateStatus: n > (behaviour.pollsInProgress ?? 1) ? 'Successful' : 'InProgress' };
          }
          case START_EXECUTION: {
            const call = { kind: 'start-execution' as const, name: String(params.Name), input: params.Input as Json, stateMachine: String(params.StateMachineArn), execution: name };
            fail(state, call);
            queue.push({ name: call.name, input: call.input });
            return { ExecutionArn: `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${call.name}`, StartDate: ENTERED };
          }
          default:
            throw new Error(`unexpected resource ${resource}`);
        }
      };
    }
    const execution = machine.run(input as never, {
      overrides: { taskResourceLocalHandlers: handlers as never, waitTimeOverrides: waits },
      context: {
        Execution: { Name: name, Id: `${STATE_MACHINE_ARN.replace(":stateMachine:", ":execution:")}:${name}`, Input: input as never },
        StateMachine: { Id: STATE_MACHINE_ARN },
        State: { EnteredTime: ENTERED },
      },
    });
    const entered: { name: string; type: string; input: unknown }[] = [];
    const consume = (async () => {
      for await (const event of execution.eventLogs) if (event.type === 'StateEntered') entered.push({ name: event.state.name, type: event.state.type, input: event.state.input });
    })();
    try {
      await execution.result;
      errors.push(null);
    } catch (error) {
      errors.push(error as Error);
    }
    await consume;
    // In execution order: each Task entered made the next call recorded for its state; a Wait waits what its input says.
    for (const { name: state, type, input } of entered) {
      if (type === 'Wait') {
        const d = (input as { d?: { wholeSeconds?: number; untilWholeSecond?: string } }).d;
        if (state === STATE.wait && d?.wholeSeconds !== undefined) timeline.push({ kind: 'wait', state, seconds: d.wholeSeconds, execution: name });
        if (state === STATE.waitUntil && d?.untilWholeSecond !== undefined) timeline.push({ kind: 'wait-until', state, until: d.untilWholeSecond, execution: name });
      }
      const call = type === 'Task' ? byState.get(state)?.shift() : undefined;
      if (call) timeline.push(call);
    }
  }
  return { calls, timeline, events: driver.events, executions, errors, configurations, deployment: driver.deployment };
}
