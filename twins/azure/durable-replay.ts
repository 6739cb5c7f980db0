/**
 * The Durable Task side of an orchestration, as the Durable Functions
 * extension runs an out-of-process (Node.js) orchestrator: the twin keeps the
 * instance's history, and for every new event calls the app's orchestrator
 * function with the whole history (the orchestration trigger's binding info:
 * history, input, instanceId, schema version). The app's own
 * durable-functions library replays the generator against that history
 * (activity results and timers come from it) and returns every action it has
 * scheduled since the start; this side checks them against the history and
 * schedules only the new ones, as the Durable Task Framework does
 * (https://learn.microsoft.com/azure/azure-functions/durable/durable-functions-orchestrations
 * "Reliability" and durable-functions-code-constraints, read 2026-12-06):
 *
 *   - an action whose kind or name differs from the event the history holds at
 *     its sequence number, or a history event the replay no longer schedules,
 *     is a non-deterministic orchestrator: the run fails naming the step;
 *   - a completed task's result is delivered from history (TaskCompleted /
 *     TaskFailed), a timer as TimerFired;
 *   - continue-as-new starts a new execution of the same instance with the new
 *     input and an empty history.
 */
import { z } from 'zod';

/** durable-functions' HistoryEventType (lib/src/history/HistoryEventType.js, 3.5.0). */
export const EVENT = {
  ExecutionStarted: 0,
  TaskScheduled: 4,
  TaskCompleted: 5,
  TaskFailed: 6,
  TimerCreated: 10,
  TimerFired: 11,
  OrchestratorStarted: 12,
  OrchestratorCompleted: 13,
} as const;

/** durable-functions' ActionType (lib/src/actions/ActionType.js, 3.5.0). */
const ACTION = { CallActivity: 0, ContinueAsNew: 4, CreateTimer: 5, WhenAny: 11, WhenAll: 12 } as const;

/** The replay schema the twin announces (upperSchemaVersion): V3, compound actions nested, as the current extension. */
export const REPLAY_SCHEMA = 2;

export interface HistoryEvent {
  EventType: number;
  EventId: number;
  Timestamp: string;
  IsPlayed: boolean;
  [field: string]: unknown;
}

const Action: z.ZodType<RawAction> = z.lazy(() =>
  z.looseObject({ actionType: z.number().int(), functionName: z.string().optional(), input: z.unknown().optional(), fireAt: z.unknown().optional(), compoundActions: z.array(Action).optional() }),
);
interface RawAction {
  actionType: number;
  functionName?: string;
  input?: unknown;
  fireAt?: unknown;
  compoundActions?: RawAction[];
}

/** What the orchestrator function returns (durable-functions' OrchestratorState). */
export const OrchestratorState = z.looseObject({
  isDone: z.boolean(),
  actions: z.array(z.array(Action)),
  output: z.unknown().optional(),
  error: z.string().optional(),
});
export type OrchestratorState = z.output<typeof OrchestratorState>;

export type ScheduledAction =
  | { kind: 'activity'; name: string; input: string }
  | { kind: 'timer'; fireAt: string }
  | { kind: 'continue-as-new'; input: string };

export type ActivityOutcome = { ok: true; result: string } | { ok: false; reason: string };

export interface OrchestrationBinding {
  history: HistoryEvent[];
  input: unknown;
  instanceId: string;
  isReplaying: boolean;
  upperSchemaVersion: number;
  maximumShortTimerDuration: string;
  longRunningTimerIntervalDuration: string;
}

/**
 * Timer limits the extension announces with the Azure Storage provider: timers up to 6 days fire as one,
 * longer ones in 3-day intervals ("Timers in Durable Functions", learn.microsoft.com/azure/azure-functions/durable/durable-functions-timers, read 2026-12-06).
 */
const TIMER_LIMITS = { maximumShortTimerDuration: '6.00:00:00', longRunningTimerIntervalDuration: '3.00:00:00' } as const;

/** Where the orchestration's functions run (the driver app's worker) and how time passes. */
export interface DurableHost {
  /** Runs the orchestrator function once; `failure` when it threw (the orchestration fails). */
  runOrchestrator(binding: OrchestrationBinding): Promise<{ state: OrchestratorState } | { failure: string }>;
  callActivity(name: string, inputJson: string): Promise<ActivityOutcome>;
  /** Resolves when a durable timer set for `fireAt` fires. */
  timer(fireAt: Date): Promise<void>;
  now(): Date;
}

export class ReplayDivergenceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReplayDivergenceError';
  }
}

export interface OrchestrationResult {
  status: 'completed' | 'failed';
  output: unknown;
  failure: string | null;
  /** Executions (1 + continue-as-new count) and orchestrator episodes run. */
  executions: number;
  episodes: number;
}

/** The flat list of scheduling actions in sequence-number order (compound actions depth first, as the library numbers them). */
export function flattenActions(state: OrchestratorState): ScheduledAction[] {
  const out: ScheduledAction[] = [];
  const visit = (action: RawAction) => {
    switch (action.actionType) {
      case ACTION.WhenAll:
      case ACTION.WhenAny:
        for (const child of action.compoundActions ?? []) visit(child);
        return;
      case ACTION.CallActivity:
        out.push({ kind: 'activity', name: action.functionName ?? '', input: inputJson(action.input) });
        return;
      case ACTION.CreateTimer:
        out.push({ kind: 'timer', fireAt: new Date(String(action.fireAt)).toISOString() });
        return;
      case ACTION.ContinueAsNew:
        out.push({ kind: 'continue-as-new', input: inputJson(action.input) });
        return;
      default:
        throw new ReplayDivergenceError(`the orchestrator scheduled an action of type ${action.actionType}, which the Azure twin does not model`);
    }
  };
  for (const group of state.actions) for (const action of group) visit(action);
  return out;
}

/**
 * A function's return value as the worker sends it (RpcTypedData: json, string, int, double) in the
 * JSON text the framework records as a TaskCompleted result.
 */
export function typedDataJson(data: unknown): string {
  const typed = (data ?? {}) as { json?: unknown; string?: unknown; int?: unknown; double?: unknown };
  if (typeof typed.json === 'string') return typed.json;
  if (typeof typed.string === 'string') return JSON.stringify(typed.string);
  if (typed.int !== undefined && typed.int !== null) return String(typed.int);
  if (typeof typed.double === 'number') return String(typed.double);
  return 'null';
}

/** durable-functions sends string inputs already JSON-encoded (Utils.processInput) and anything else as a value. */
function inputJson(input: unknown): string {
  if (input === undefined) return 'null';
  return typeof input === 'string' ? input : JSON.stringify(input);
}

/** Where a scheduled action stands in the plan, for messages: the activity, and the step its input names. */
export function describeAction(action: ScheduledAction | undefined): string {
  if (!action) return 'nothing';
  if (action.kind === 'timer') return `a timer for ${action.fireAt}`;
  if (action.kind === 'continue-as-new') return 'continue-as-new';
  let where = '';
  try {
    const input = JSON.parse(action.input) as { step?: unknown; action?: unknown; shard?: unknown };
    const step = typeof input.step === 'number' ? input.step : (input.step as { index?: unknown } | undefined)?.index;
    where = [typeof input.action === 'string' ? input.action : null, typeof step === 'number' ? `step ${step}` : null, typeof input.shard === 'number' ? `shard ${input.shard}` : null]
      .filter((s) => s !== null)
      .join(', ');
  } catch {
    // an input that is not JSON: the name alone
  }
  return `activity ${action.name}${where ? ` (${where})` : ''}`;
}

/** Checks a replay's actions against the actions the history recorded; throws naming the first divergence. */
export function checkReplay(recorded: readonly ScheduledAction[], replayed: readonly ScheduledAction[]): void {
  for (let i = 0; i < recorded.length; i++) {
    const was = recorded[i]!;
    const now = replayed[i];
    const same = now !== undefined && now.kind === was.kind && (was.kind !== 'activity' || (now as typeof was).name === was.name);
    if (!same) {
      throw new ReplayDivergenceError(
        `non-deterministic orchestrator: at sequence number ${i} the history has ${describeAction(was)}, the replay schedules ${describeAction(now)}`,
      );
    }
  }
}

/** Runs an orchestration instance to its end, replaying the orchestrator on every event. */
export async function runOrchestration(options: {
  instanceId: string;
  name: string;
  input: unknown;
  host: DurableHost;
  log(line: string): void;
  signal?: AbortSignal;
}): Promise<OrchestrationResult> {
  const { host } = options;
  let input = options.input;
  let executions = 0;
  let episodes = 0;
  for (;;) {
    executions += 1;
    const history: HistoryEvent[] = [];
    const push = (type: number, id: number, fields: Record<string, unknown> = {}) =>
      history.push({ EventType: type, EventId: id, Timestamp: host.now().toISOString(), IsPlayed: false, ...fields });
    push(EVENT.OrchestratorStarted, -1);
    push(EVENT.ExecutionStarted, -1, { Name: options.name, Input: JSON.stringify(input) });
    const recorded: ScheduledAction[] = [];
    const arrived: HistoryEvent[] = [];
    const open = new Set<number>();
    let wake: (() => void) | null = null;
    options.signal?.addEventListener('abort', () => wake?.(), { once: true });
    const deliver = (id: number, event: { EventType: number } & Record<string, unknown>) => {
      open.delete(id);
      arrived.push({ ...event, EventId: -1, Timestamp: host.now().toISOString(), IsPlayed: false });
      wake?.();
    };
    for (;;) {
      if (options.signal?.aborted) return { status: 'failed', output: null, failure: 'interrupted', executions, episodes };
      episodes += 1;
      const run = await host.runOrchestrator({ history, input, instanceId: options.instanceId, isReplaying: recorded.length > 0, upperSchemaVersion: REPLAY_SCHEMA, ...TIMER_LIMITS });
      if ('failure' in run) return { status: 'failed', output: null, failure: `orchestrator ${options.name} failed: ${run.failure}`, executions, episodes };
      const actions = flattenActions(run.state);
      checkReplay(recorded, actions);
      const fresh = actions.slice(recorded.length);
      for (const event of history) event.IsPlayed = true;
      push(EVENT.OrchestratorCompleted, -1);
      const continued = fresh.find((a) => a.kind === 'continue-as-new');
      for (const action of fresh) {
        const id = recorded.length;
        recorded.push(action);
        if (action.kind === 'activity') {
          push(EVENT.TaskScheduled, id, { Name: action.name, Input: action.input });
          open.add(id);
          void host.callActivity(action.name, action.input).then(
            (outcome) =>
              deliver(
                id,
                outcome.ok
                  ? { EventType: EVENT.TaskCompleted, TaskScheduledId: id, Result: outcome.result }
                  : { EventType: EVENT.TaskFailed, TaskScheduledId: id, Reason: outcome.reason, Details: outcome.reason },
              ),
            (error: unknown) => deliver(id, { EventType: EVENT.TaskFailed, TaskScheduledId: id, Reason: String(error), Details: String(error) }),
          );
        } else if (action.kind === 'timer') {
          push(EVENT.TimerCreated, id, { FireAt: action.fireAt });
          open.add(id);
          void host.timer(new Date(action.fireAt)).then(() => deliver(id, { EventType: EVENT.TimerFired, TimerId: id, FireAt: action.fireAt }));
        }
      }
      if (run.state.isDone) {
        if (continued?.kind === 'continue-as-new') {
          options.log(`twin: orchestration ${options.instanceId} continues as new (execution ${executions + 1})`);
          input = JSON.parse(continued.input) as unknown;
          // Tasks of the old execution still running are abandoned, as the framework does.
          break;
        }
        return { status: 'completed', output: run.state.output ?? null, failure: null, executions, episodes };
      }
      if (arrived.length === 0 && open.size === 0) {
        return { status: 'failed', output: null, failure: `orchestrator ${options.name} waits for an event nothing will deliver (external events are not modelled)`, executions, episodes };
      }
      if (arrived.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
      push(EVENT.OrchestratorStarted, -1);
      history.push(...arrived.splice(0));
    }
  }
}
