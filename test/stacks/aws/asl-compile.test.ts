/**
 * The plan → ASL compiler as a pure function: valid ASL (asl-validator) for
 * every catalog study, the state groups each kind of step becomes, cross-account
 * credentials, failure wiring, determinism; and the Step Functions limits.
 */
import { CATALOG } from '../../../experiments/catalog';
import type { StudyPlan } from '../../../experiments/plan-schema';
import type { MapState, State, StateMachineDefinition, TaskState } from '../../../stacks/aws/asl/asl-types';
import {
  compilePlan,
  GET_FUNCTION_CONFIGURATION,
  helperState,
  LAMBDA_INVOKE,
  resetState,
  STATE,
  UPDATE_FUNCTION_CONFIGURATION,
  type AslTargets,
} from '../../../stacks/aws/asl/compile-plan';
import { historyEvents } from '../../../stacks/aws/asl/bounds';
import { stepFunctionsUsage } from '../../../stacks/aws/asl/limits';
import { driverTimeoutSeconds, STEP_FUNCTIONS_LIMITS, UPDATE_POLL } from '../../../stacks/aws/asl/orchestration-policy';
import { burstReserveMs } from '../../../probe-runtime/driver/host';
import { DeployRefusedError, prepareStudy } from '../../../stacks/aws/prepare-study';
import { studyTopology } from '../../../stacks/aws/study-topology';
import { mixedDefinition } from './definitions';
import { catalogPlan, definitionPlan } from './fixtures';

const validateAsl = require('asl-validator') as (definition: unknown) => { isValid: boolean; errorsText(): string };

function targetsFor(plan: StudyPlan): AslTargets {
  return { driver: 'the-driver', functions: Object.fromEntries(plan.functions.map((f) => [f.key, `fn-${f.key}`])) };
}

/** Follows Next pointers from StartAt on the success path (Choice: its first rule). */
function successPath(definition: StateMachineDefinition): string[] {
  const names: string[] = [];
  let name: string | undefined = definition.StartAt;
  const seen = new Set<string>();
  while (name && !seen.has(name)) {
    seen.add(name);
    names.push(name);
    const state: State = definition.States[name]!;
    name = state.Type === 'Choice' ? state.Choices[0]!.Next : 'Next' in state ? state.Next : undefined;
  }
  return names;
}

const plans = new Map(CATALOG.map((s) => [s.id, catalogPlan(s.id)]));

describe('compilePlan on every catalog study', () => {
  test.each([...plans.keys()])('%s: valid ASL, one state group per step in plan order', (id) => {
    const plan = plans.get(id)!;
    const definition = compilePlan(plan, targetsFor(plan));
    const result = validateAsl(structuredClone(definition));
    if (!result.isValid) throw new Error(result.errorsText());
    // The success path visits each plan step's state, in plan order, between StartRun and FinishRun.
    const path = successPath(definition);
    const stepStates = path.filter((n) => plan.steps.some((s) => s.id === n));
    expect(stepStates).toEqual(plan.steps.map((s) => s.id));
    expect(path[0]).toBe(STATE.init);
    expect(path[1]).toBe(STATE.startRun);
    expect(path[path.length - 1]).toBe(STATE.finishRun);
    expect(definition.States[STATE.finishRun]).toMatchObject({ End: true });
  });
});

describe('state groups', () => {
  const plan = definitionPlan(mixedDefinition());
  const definition = compilePlan(plan, targetsFor(plan));
  const states = definition.States;

  test('a wait becomes a Wait state of whole seconds (rounded up)', () => {
    const wait = plan.steps.find((s) => s.kind === 'wait')!;
    expect(wait.kind === 'wait' && wait.seconds).toBe(1.5);
    expect(states[wait.id]).toEqual({ Type: 'Wait', Seconds: 2, Next: plan.steps[wait.index + 1]!.id });
  });

  test('a one-shard burst invokes the driver once with the plan step, shard 0 and the state entry time', () => {
    const burst = plan.steps.find((s) => s.kind === 'burst' && s.shards === 1)!;
    const state = states[burst.id] as TaskState;
    expect(state.Resource).toBe(LAMBDA_INVOKE);
    expect(state.Parameters).toEqual({
      FunctionName: 'the-driver',
      Payload: { v: 1, study: 'mixed', planHash: plan.hash, action: 'burst', step: burst, 'run.$': '$.run', shard: 0, 'stepStartedAt.$': '$$.State.EnteredTime' },
    });
    // Only throttling (the driver never ran) is retried: a re-sent burst would exceed the attempt budget.
    expect(state.Retry).toEqual([expect.objectContaining({ ErrorEquals: ['Lambda.TooManyRequestsException'] })]);
    expect(state.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: helperState(burst.id, 'failed') }]);
  });

  test('a multi-shard burst is a Map over the shard indices, sharing the Map state entry time', () => {
    const burst = plan.steps.find((s) => s.kind === 'burst' && s.shards > 1)!;
    expect(burst.kind === 'burst' && burst.shards).toBe(5);
    const map = states[burst.id] as MapState;
    expect(map.Type).toBe('Map');
    expect(map.MaxConcurrency).toBe(5);
    expect(map.ItemsPath).toBe('$.k.s5');
    expect(map.ItemSelector['at.$']).toBe('$$.State.EnteredTime');
    // StartRun writes the shard lists once.
    expect((states[STATE.startRun] as TaskState).ResultSelector).toEqual({ s5: [0, 1, 2, 3, 4] });
    const inner = map.ItemProcessor.States[helperState(burst.id, 'shard')] as TaskState;
    expect(inner.Parameters.Payload).toMatchObject({ action: 'burst', step: burst, 'shard.$': '$.shard', 'stepStartedAt.$': '$.at' });
  });

  test('an update sets the full environment with the new generation, then polls with doubling waits', () => {
    const step = plan.steps.find((s) => s.kind === 'update' && s.change.kind === 'env')!;
    if (step.kind !== 'update') throw new Error('unreachable');
    const update = states[step.id] as TaskState;
    expect(update.Resource).toBe(UPDATE_FUNCTION_CONFIGURATION);
    expect(update.Parameters).toEqual({
      FunctionName: `fn-${step.function}`,
      Environment: {
        Variables: {
          CURTAIN_FUNCTION: step.function,
          CURTAIN_GENERATION: step.generation,
          CURTAIN_MODE: 'second',
          CURTAIN_STUDY: 'mixed',
          CURTAIN_TENANT: 'a',
        },
      },
    });
    expect(states[helperState(step.id, 'wait')]).toEqual({ Type: 'Wait', SecondsPath: '$.u.w', Next: helperState(step.id, 'poll') });
    expect((states[helperState(step.id, 'poll')] as TaskState).Resource).toBe(GET_FUNCTION_CONFIGURATION);
    const check = states[helperState(step.id, 'check')];
    expect(check).toMatchObject({ Type: 'Choice', Default: helperState(step.id, 'timeout') });
    expect(JSON.stringify(check)).toContain(`"NumericLessThan":${UPDATE_POLL.maxPolls - 1}`);
  });

  test('a memory update sets MemorySize; a later refresh keeps the env change made before it', () => {
    const memory = plan.steps.find((s) => s.kind === 'update' && s.change.kind === 'memory')!;
    expect((states[memory.id] as TaskState).Parameters).toMatchObject({ MemorySize: 1024 });
    const refreshPython = plan.steps.find((s) => s.kind === 'update' && s.change.kind === 'refresh' && s.function === 'py-m256-a-0')!;
    if (refreshPython.kind !== 'update') throw new Error('unreachable');
    const variables = ((states[refreshPython.id] as TaskState).Parameters.Environment as { Variables: Record<string, string> }).Variables;
    expect(variables).toMatchObject({ CURTAIN_MODE: 'second', CURTAIN_GENERATION: refreshPython.generation });
  });

  test('functions that any step updates are reset to their deployed configuration before the first step', () => {
    const updated = [...new Set(plan.steps.flatMap((s) => (s.kind === 'update' ? [s.function] : [])))];
    expect(updated.length).toBe(4);
    expect((states[STATE.startRun] as TaskState).Next).toBe(resetState(updated[0]!));
    for (const key of updated) {
      const fn = plan.functions.find((f) => f.key === key)!;
      const reset = states[resetState(key)] as TaskState;
      expect((reset.Parameters.Environment as { Variables: unknown }).Variables).toEqual(fn.env);
      // MemorySize only where a step changes memory (node-m256 and py-m256 go to 1024 MB).
      expect(reset.Parameters.MemorySize).toBe(key.includes('m256') ? 256 : undefined);
    }
    const noReset = compilePlan(plan, targetsFor(plan), { resetBeforeRun: false });
    expect((noReset.States[STATE.startRun] as TaskState).Next).toBe(plan.steps[0]!.id);
  });

  test('every failure leads to finish-run with status failed, the failing step and the steps completed', () => {
    const burst = plan.steps.find((s) => s.kind === 'burst' && s.index > 0)!;
    expect(states[helperState(burst.id, 'failed')]).toEqual({
      Type: 'Pass',
      Result: { step: burst.index, completed: burst.index, where: burst.id },
      ResultPath: '$.f',
      Next: STATE.failure,
    });
    expect((states[STATE.finishFailed] as TaskState).Parameters.Payload).toMatchObject({
      action: 'finish-run',
      status: 'failed',
      'stepsCompleted.$': '$.completed',
      'failures.$': 'States.Array($.failure)',
    });
    expect(states[STATE.runFailed]).toMatchObject({ Type: 'Fail', Error: 'Curtain.RunFailed' });
    // Every Task and Map outside the failure path catches everything.
    for (const [name, state] of Object.entries(states)) {
      if ((state.Type === 'Task' || state.Type === 'Map') && name !== STATE.finishFailed) {
        expect(state.Catch?.[0]?.ErrorEquals).toEqual(['States.ALL']);
      }
    }
  });

  test('the same plan compiles to the same definition', () => {
    expect(JSON.stringify(compilePlan(plan, targetsFor(plan)))).toBe(JSON.stringify(definition));
  });
});

describe('a second tenant in another account', () => {
  const plan = catalogPlan('isolation');
  const topology = studyTopology(plan, { primaryAccount: '111111111111', tenantAccounts: { b: '222222222222' } });
  const definition = compilePlan(plan, topology.aslTargets);

  test('its functions are updated by ARN through the tenant\'s updater role; tenant a\'s by name', () => {
    const updates = Object.values(definition.States).filter((s): s is TaskState => s.Type === 'Task' && s.Resource === UPDATE_FUNCTION_CONFIGURATION);
    const b = updates.filter((u) => String(u.Parameters.FunctionName).includes('-b-'));
    const a = updates.filter((u) => String(u.Parameters.FunctionName).includes('-a-'));
    expect(b.length).toBeGreaterThan(0);
    expect(a.length).toBeGreaterThan(0);
    for (const u of b) {
      expect(u.Parameters.FunctionName).toMatch(/^arn:aws:lambda:us-east-1:222222222222:function:curtain-isolation-node-m128-b-\d$/);
      expect(u.Credentials).toEqual({ RoleArn: 'arn:aws:iam::222222222222:role/curtain-isolation-tenant-b-updater-us-east-1' });
    }
    for (const u of a) {
      expect(u.Parameters.FunctionName).toMatch(/^curtain-isolation-node-m128-a-\d$/);
      expect(u.Credentials).toBeUndefined();
    }
    expect(topology.deployment.targets['node-m128-b-0']).toBe('arn:aws:lambda:us-east-1:222222222222:function:curtain-isolation-node-m128-b-0');
    expect(topology.deployment.targets['node-m128-a-0']).toBe('curtain-isolation-node-m128-a-0');
  });

  test('without the primary account, a cross-account tenant is refused with a hint', () => {
    expect(() => studyTopology(plan, { tenantAccounts: { b: '222222222222' } })).toThrow(/-c account=/);
  });
});

describe('Step Functions limits', () => {
  test.each([...plans.keys()])('%s at default parameters fits with room to spare', (id) => {
    const prepared = prepareStudy(plans.get(id)!);
    expect(prepared.usage.exceeded).toEqual([]);
    expect(prepared.usage.definitionBytes).toBeLessThan(STEP_FUNCTIONS_LIMITS.definitionBytes);
    expect(prepared.usage.events.bound).toBeLessThan(STEP_FUNCTIONS_LIMITS.historyEvents);
    expect(prepared.definition.TimeoutSeconds).toBeGreaterThan(plans.get(id)!.duration.estimatedSeconds);
  });

  test('the studies close to a limit are the long ones (reported at synth)', () => {
    const close = [...plans.keys()].filter((id) => prepareStudy(plans.get(id)!).usage.close.length > 0);
    expect(close).toEqual(['placement', 'lifetime']);
  });

  test('a schedule too long for one execution is refused with the numbers', () => {
    const long = catalogPlan('lifetime', { hours: 24 });
    expect(() => prepareStudy(long)).toThrow(DeployRefusedError);
    expect(() => prepareStudy(long)).toThrow(/exceeds Step Functions limits: state machine definition bytes: [\d,]+ of 1,048,576/);
  });

  test('history events of a small plan, counted by hand', () => {
    // accounting: 10 bursts (one shard) and 5 waits, no updates.
    const plan = plans.get('accounting')!;
    const bursts = plan.steps.filter((s) => s.kind === 'burst').length;
    const waits = plan.steps.filter((s) => s.kind === 'wait').length;
    expect([bursts, waits]).toEqual([10, 5]);
    // execution 2 + Init 2 + StartRun 5 + FinishRun 5 + 5 per burst + 2 per wait
    expect(historyEvents(plan, { resetFunctions: 0 }).typical).toBe(2 + 2 + 5 + 5 + 5 * bursts + 2 * waits);
    const usage = stepFunctionsUsage(plan, compilePlan(plan, targetsFor(plan)), 0);
    expect(usage.events.bound).toBeGreaterThan(usage.events.typical);
  });
});

describe('the driver\'s timeout', () => {
  test.each([...plans.keys()])('%s: every shard sends its last wave before the driver\'s deadline reserve, and finishes in time', (id) => {
    const plan = plans.get(id)!;
    const timeoutMs = driverTimeoutSeconds(plan) * 1000;
    const reserve = burstReserveMs(plan);
    for (const step of plan.steps) {
      if (step.kind !== 'burst') continue;
      const attemptMs = step.timeoutMs * (1 + step.retries);
      const waves = Math.ceil(step.requestsPerShard / step.shardConcurrency);
      const lastWaveStart = step.barrierMs + (waves - 1) * attemptMs;
      // The driver stops sending once Lambda's remaining time is below the reserve.
      expect(timeoutMs - lastWaveStart).toBeGreaterThanOrEqual(reserve);
      expect(lastWaveStart + attemptMs).toBeLessThanOrEqual(timeoutMs);
    }
    expect(timeoutMs).toBeLessThanOrEqual(900_000);
  });
});

describe('other refusals', () => {
  test('over budget: one line naming the limit and the fix, exit code 2', () => {
    const plan = catalogPlan('coldstart');
    const over = { ...plan, budget: { ...plan.budget, verdict: 'over' as const, reasons: ['estimated cost $0.0097 exceeds the budget of $0.001'] } };
    let error: unknown;
    try {
      prepareStudy(over);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DeployRefusedError);
    expect((error as DeployRefusedError).exitCode).toBe(2);
    expect((error as Error).message).toMatch(/^study coldstart is over budget on aws: estimated cost .* -c budget=<usd>/);
    expect((error as Error).message).not.toContain('\n');
  });

  test('a burst that one driver shard cannot finish within Lambda\'s 900 s is refused', () => {
    const plan = catalogPlan('coldstart');
    const slow = { ...plan, steps: plan.steps.map((s) => (s.kind === 'burst' ? { ...s, timeoutMs: 600_000, retries: 1 } : s)) };
    expect(() => prepareStudy(slow)).toThrow(/over Lambda's 900 s limit/);
  });
});
