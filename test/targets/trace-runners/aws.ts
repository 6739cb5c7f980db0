/**
 * Executes a Step Functions definition with aws-local-stepfunctions (the npm
 * package that runs ASL locally), every Task stubbed to record its call and
 * every Wait skipped, and turns what the state machine asked for into the
 * provider-neutral trace (orchestrator-trace.ts).
 */
import { StateMachine } from 'aws-local-stepfunctions';
import type { StudyPlan } from '../../../experiments/plan-schema';
import type { State, StateMachineDefinition } from '../../../stacks/aws/asl/asl-types';
import { GET_FUNCTION_CONFIGURATION, LAMBDA_INVOKE, resetState, UPDATE_FUNCTION_CONFIGURATION } from '../../../stacks/aws/asl/compile-plan';
import { probeFunctionName } from '../../../stacks/aws/naming';
import { type RawAction, TRACE_RUN } from '../orchestrator-trace';
import type { TraceRunner } from './trace-runner';

type Json = Record<string, unknown>;

export type AslCall =
  | { kind: 'driver'; payload: Json }
  | { kind: 'update'; function: string; env: Record<string, string>; memory?: number }
  | { kind: 'poll'; function: string };

export interface AslBehaviour {
  /** Throw from the driver when it is asked for this action (and step index, for bursts). */
  failDriver?: { action: string; step?: number; shard?: number };
  /** How many polls report InProgress before Successful (Infinity: never). */
  pollsInProgress?: number;
}

export interface AslExecution {
  /** Every Task call, in the order the stubs were called. */
  calls: AslCall[];
  /** The same, each with the state it was made from, interleaved with the Wait states entered, in execution order. */
  timeline: ({ state: string; call: AslCall } | { state: string; wait: number })[];
  /** Plan step states entered, in order. */
  stepsEntered: string[];
  waitsEntered: string[];
  error: Error | null;
}

/** The time the local engine gives `$$.State.EnteredTime`. */
export const ASL_ENTERED = '2026-11-26T12:00:00.000Z';

/**
 * Runs a definition for `plan`; `keyOf` maps a FunctionName the definition
 * addresses back to its plan function key.
 */
export async function executeAsl(plan: StudyPlan, definition: StateMachineDefinition, keyOf: (functionName: unknown) => string, behaviour: AslBehaviour = {}): Promise<AslExecution> {
  const calls: AslCall[] = [];
  const callsByState = new Map<string, AslCall[]>();
  const record = (state: string, call: AslCall) => {
    calls.push(call);
    callsByState.set(state, [...(callsByState.get(state) ?? []), call]);
  };
  const handlers: Record<string, (input: unknown) => unknown> = {};
  const waits: Record<string, number> = {};
  const waitSeconds = new Map<string, number>();
  const polls = new Map<string, number>();
  const visit = (states: Record<string, State>) => {
    for (const [name, state] of Object.entries(states)) {
      if (state.Type === 'Wait') {
        waits[name] = 0;
        if (state.Seconds !== undefined) waitSeconds.set(name, state.Seconds);
      }
      if (state.Type === 'Map') visit(state.ItemProcessor.States);
      if (state.Type !== 'Task') continue;
      handlers[name] = (input) => {
        const params = input as Json;
        if (state.Resource === LAMBDA_INVOKE) {
          const payload = params.Payload as Json;
          record(name, { kind: 'driver', payload });
          const fail = behaviour.failDriver;
          if (fail && payload.action === fail.action && (fail.step === undefined || (payload.step as Json).index === fail.step) && (fail.shard === undefined || payload.shard === fail.shard)) {
            const error = new Error(`driver refused ${String(payload.action)}`);
            error.name = 'DriverRefusedError';
            throw error;
          }
          return { StatusCode: 200, Payload: { ok: true } };
        }
        if (state.Resource === UPDATE_FUNCTION_CONFIGURATION) {
          const variables = (params.Environment as { Variables: Record<string, string> }).Variables;
          const key = keyOf(params.FunctionName);
          record(name, { kind: 'update', function: key, env: variables, ...(params.MemorySize !== undefined ? { memory: params.MemorySize as number } : {}) });
          polls.set(key, 0);
          return { LastUpdateStatus: 'InProgress' };
        }
        if (state.Resource === GET_FUNCTION_CONFIGURATION) {
          const key = keyOf(params.FunctionName);
          record(name, { kind: 'poll', function: key });
          const n = (polls.get(key) ?? 0) + 1;
          polls.set(key, n);
          return { LastUpdateStatus: n > (behaviour.pollsInProgress ?? 1) ? 'Successful' : 'InProgress' };
        }
        throw new Error(`unexpected resource ${state.Resource}`);
      };
    }
  };
  visit(definition.States);

  const machine = new StateMachine(definition as unknown as ConstructorParameters<typeof StateMachine>[0], { validationOptions: { checkArn: true, checkPaths: true } });
  const run = machine.run(
    {},
    {
      overrides: { taskResourceLocalHandlers: handlers as never, waitTimeOverrides: waits },
      context: { Execution: { Name: TRACE_RUN }, State: { EnteredTime: ASL_ENTERED } },
    },
  );
  const stepIds = new Set(plan.steps.map((s) => s.id));
  const entered: { name: string; type: string }[] = [];
  const consume = (async () => {
    for await (const event of run.eventLogs) if (event.type === 'StateEntered') entered.push({ name: event.state.name, type: event.state.type });
  })();
  let error: Error | null = null;
  try {
    await run.result;
  } catch (e) {
    error = e as Error;
  }
  await consume;
  // Interleave in execution order: each Task entered made the next recorded call of its state.
  const pending = new Map([...callsByState].map(([state, list]) => [state, [...list]]));
  const timeline: AslExecution['timeline'] = [];
  for (const { name, type } of entered) {
    if (type === 'Wait' && waitSeconds.has(name)) timeline.push({ state: name, wait: waitSeconds.get(name)! });
    const call = type === 'Task' ? pending.get(name)?.shift() : undefined;
    if (call) timeline.push({ state: name, call });
  }
  return {
    calls,
    timeline,
    stepsEntered: entered.filter((e) => stepIds.has(e.name)).map((e) => e.name),
    waitsEntered: entered.filter((e) => e.type === 'Wait' && stepIds.has(e.name)).map((e) => e.name),
    error,
  };
}

/**
 * The trace of an ASL execution: driver payloads; plan-step waits; updates as
 * the change they make (memory when MemorySize changes, else the one variable
 * besides CURTAIN_GENERATION that changes, else a refresh). The reset phase
 * before the first step (compile-plan.ts) is not a plan step: its updates must
 * put each function back to its deployed configuration, and leave no trace.
 */
export function aslTrace(plan: StudyPlan, execution: AslExecution): RawAction[] {
  const deployed = new Map(plan.functions.map((f) => [f.key, { env: f.env, memoryMb: f.memoryMb }]));
  const current = new Map([...deployed].map(([key, c]) => [key, { ...c }]));
  const actions: RawAction[] = [];
  for (const entry of execution.timeline) {
    if ('wait' in entry) {
      // Only plan-step waits (helper waits of update polls are named <step>_wait).
      if (plan.steps.some((s) => s.id === entry.state)) actions.push({ kind: 'wait', seconds: entry.wait });
      continue;
    }
    const { call } = entry;
    if (call.kind === 'driver') actions.push({ kind: 'driver', event: call.payload });
    if (call.kind !== 'update') continue;
    if (entry.state === resetState(call.function)) {
      const initial = deployed.get(call.function)!;
      if (JSON.stringify(sorted(call.env)) !== JSON.stringify(sorted(initial.env)) || (call.memory !== undefined && call.memory !== initial.memoryMb)) {
        throw new Error(`${entry.state} does not restore the deployed configuration of ${call.function}`);
      }
      continue;
    }
    const before = current.get(call.function)!;
    const memoryMb = call.memory ?? before.memoryMb;
    const changed = Object.keys(call.env).filter((k) => k !== 'CURTAIN_GENERATION' && call.env[k] !== before.env[k]);
    const change =
      memoryMb !== before.memoryMb
        ? ({ kind: 'memory', memoryMb } as const)
        : changed.length === 1
          ? ({ kind: 'env', name: changed[0]!, value: call.env[changed[0]!]! } as const)
          : ({ kind: 'refresh' } as const);
    current.set(call.function, { env: call.env, memoryMb });
    actions.push({ kind: 'update', function: call.function, generation: call.env.CURTAIN_GENERATION!, change });
  }
  return actions;
}

function sorted(env: Record<string, string>): [string, string][] {
  return Object.entries(env).sort(([a], [b]) => a.localeCompare(b));
}

export const aslTraceRunner: TraceRunner = {
  async run(plan, compiled) {
    const byName = new Map(plan.functions.map((f) => [probeFunctionName(f.name), f.key]));
    // A probe is addressed by name, or by ARN in another tenant's account.
    const keyOf = (name: unknown) => byName.get(String(name).split(':').pop()!) ?? String(name);
    const execution = await executeAsl(plan, compiled.definition as StateMachineDefinition, keyOf);
    if (execution.error) throw execution.error;
    return aslTrace(plan, execution);
  },
  // Step Functions' Wait takes whole seconds: the compiler rounds each wait up (compile-plan.ts).
  waitSeconds: (planned) => Math.ceil(planned),
};
