/**
 * The plan → ASL compiler as a pure function: valid ASL (asl-validator) for
 * every catalog study, a definition that walks the plan without carrying it
 * (the same size for any study length), every kind of step the driver can
 * describe dispatched, cross-account credentials, failure wiring,
 * determinism; and the Step Functions limits: runs split into executions,
 * refused only when a single step cannot fit.
 */
import { CATALOG } from '../../../experiments/catalog';
import { planStudy } from '../../../experiments/plan';
import type { StudyPlan } from '../../../experiments/plan-schema';
import { lifetime } from '../../../experiments/catalog/lifetime';
import { StepDirective } from '../../../probe-runtime/contracts/step-directive';
import { burstReserveMs } from '../../../probe-runtime/driver/host';
import type { ChoiceState, MapState, TaskState } from '../../../stacks/aws/asl/asl-types';
import { aslSegmentation, aslShape, executionFixedEvents, stepEvents } from '../../../stacks/aws/asl/bounds';
import { compilePlan, GET_FUNCTION_CONFIGURATION, LAMBDA_INVOKE, STATE, START_EXECUTION, UPDATE_FUNCTION_CONFIGURATION } from '../../../stacks/aws/asl/compile-plan';
import { definitionBytes } from '../../../stacks/aws/asl/limits';
import { driverTimeoutSeconds, SEGMENT_HEADROOM, STEP_FUNCTIONS_LIMITS } from '../../../stacks/aws/asl/orchestration-policy';
import { DeployRefusedError, prepareStudy } from '../../../stacks/aws/prepare-study';
import { studyTopology } from '../../../stacks/aws/study-topology';
import { mixedDefinition } from './definitions';
import { catalogPlan, definitionPlan } from './fixtures';

const validateAsl = require('asl-validator') as (definition: unknown) => { isValid: boolean; errorsText(): string };

const TARGETS = { driver: 'the-driver' };
const plans = new Map(CATALOG.map((s) => [s.id, catalogPlan(s.id)]));

/** lifetime at `hours` (the catalog caps its parameter below what Step Functions alone would allow; the plan does not). */
function lifetimePlan(hours: number): StudyPlan {
  const defaults = { hours, intervalSeconds: 60, instances: 5, memoryMb: 128, holdMs: 250 };
  return planStudy(lifetime.build(defaults), { provider: 'aws', budget: { maxUsd: 1000, maxInvocations: 10_000_000 } });
}

describe('compilePlan on every catalog study', () => {
  test.each([...plans.keys()])('%s: valid ASL that names no plan step', (id) => {
    const plan = plans.get(id)!;
    const definition = compilePlan(plan, TARGETS);
    const result = validateAsl(structuredClone(definition));
    if (!result.isValid) throw new Error(result.errorsText());
    const text = JSON.stringify(definition);
    // The steps reach the machine in the driver's answers, never in the definition.
    for (const step of plan.steps) expect(text).not.toContain(`"${step.id}"`);
    for (const f of plan.functions) expect(text).not.toContain(f.name);
    expect(definition.StartAt).toBe(STATE.begin);
  });

  test('the definition does not grow with the plan: lifetime at 1 h and 168 h differ by less than 10 %', () => {
    const short = lifetimePlan(1);
    const long = lifetimePlan(168);
    expect(long.steps.length).toBeGreaterThan(100 * short.steps.length);
    const [a, b] = [definitionBytes(compilePlan(short, TARGETS)), definitionBytes(compilePlan(long, TARGETS))];
    expect(Math.abs(b - a) / a).toBeLessThan(0.1);
    expect(b).toBeLessThan(STEP_FUNCTIONS_LIMITS.definitionBytes / 50);
  });
});

describe('the walk', () => {
  const plan = definitionPlan(mixedDefinition());
  const definition = compilePlan(plan, TARGETS);
  const states = definition.States;

  test('a new run starts the run then describes the first reset; a continued one describes `next`', () => {
    expect(states[STATE.begin]).toMatchObject({ Type: 'Choice', Choices: [{ Variable: '$.next', IsPresent: true, Next: STATE.resume }], Default: STATE.init });
    const resets = new Set(plan.steps.flatMap((s) => (s.kind === 'update' ? [s.function] : []))).size;
    expect(resets).toBe(4);
    expect(states[STATE.init]).toMatchObject({ Parameters: { 'run.$': '$$.Execution.Name', d: { next: -resets } }, Next: STATE.startRun });
    expect(states[STATE.startRun]).toMatchObject({ Next: STATE.describe });
    expect(states[STATE.resume]).toMatchObject({ Parameters: { 'run.$': '$.run', d: { 'next.$': '$.next' } }, Next: STATE.describe });
    const describe = states[STATE.describe] as TaskState;
    expect(describe.Resource).toBe(LAMBDA_INVOKE);
    expect(describe.Parameters.Payload).toEqual({ v: 1, study: 'mixed', planHash: plan.hash, action: 'describe-step', 'run.$': '$.run', 'index.$': '$.d.next' });
  });

  test('Dispatch has a branch for every kind of step the driver can describe', () => {
    const kinds = StepDirective.options.map((o) => o.shape.kind.value).sort();
    const dispatch = states[STATE.dispatch] as ChoiceState;
    const routed = new Set(JSON.stringify(dispatch.Choices).match(/"StringEquals":"([a-z-]+)"/g)!.map((m) => m.split('"')[3]));
    expect([...routed].sort()).toEqual(kinds);
    expect(dispatch.Default).toBe(STATE.unknownStep);
  });

  test('bursts: one shard invokes the driver once; several are a Map over the described shard indices sharing the Map state entry time', () => {
    const one = states[STATE.burstOne] as TaskState;
    expect(one.Parameters.Payload).toMatchObject({ action: 'burst', 'step.$': '$.d.step', shard: 0, 'stepStartedAt.$': '$$.State.EnteredTime' });
    // Only throttling (the driver never ran) is retried: a re-sent burst would exceed the attempt budget.
    expect(one.Retry).toEqual([expect.objectContaining({ ErrorEquals: ['Lambda.TooManyRequestsException'] })]);
    const map = states[STATE.burstShards] as MapState;
    expect(map.ItemsPath).toBe('$.d.shards');
    expect(map.ItemSelector['at.$']).toBe('$$.State.EnteredTime');
    expect(map.MaxConcurrency).toBe(Math.max(...plan.steps.map((s) => (s.kind === 'burst' ? s.shards : 1))));
  });

  test('updates send the described environment and memory, then poll; a wait waits the described whole seconds', () => {
    expect((states[STATE.update] as TaskState).Resource).toBe(UPDATE_FUNCTION_CONFIGURATION);
    expect((states[STATE.update] as TaskState).Parameters).toEqual({ 'FunctionName.$': '$.d.target', Environment: { 'Variables.$': '$.d.env' }, 'MemorySize.$': '$.d.memoryMb' });
    expect((states[STATE.poll] as TaskState).Resource).toBe(GET_FUNCTION_CONFIGURATION);
    expect(states[STATE.wait]).toEqual({ Type: 'Wait', SecondsPath: '$.d.wholeSeconds', Next: STATE.afterStep });
    // Nobody in this account needs another account's role: no state carries Credentials.
    expect(JSON.stringify(definition)).not.toContain('Credentials');
  });

  test('after each step: finish, hand over to the next execution named <run>-s<segment>, or describe the next', () => {
    expect(states[STATE.afterStep]).toEqual({
      Type: 'Choice',
      Choices: [
        { Variable: '$.d.then', StringEquals: 'finish', Next: STATE.finishRun },
        { Variable: '$.d.then', StringEquals: 'hand-over', Next: STATE.handOver },
      ],
      Default: STATE.describe,
    });
    const handOver = states[STATE.handOver] as TaskState;
    expect(handOver.Resource).toBe(START_EXECUTION);
    expect(handOver.Parameters).toEqual({
      'StateMachineArn.$': '$$.StateMachine.Id',
      'Name.$': "States.Format('{}-s{}', $.run, $.d.nextSegment)",
      Input: { 'run.$': '$.run', 'next.$': '$.d.next', 'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id' },
    });
    expect(handOver.Next).toBe(STATE.handedOver);
    expect(states[STATE.handedOver]).toMatchObject({ Type: 'Succeed' });
    expect((states[STATE.finishRun] as TaskState).Parameters.Payload).toMatchObject({ action: 'finish-run', status: 'completed', 'stepsCompleted.$': '$.d.next' });
  });

  test('every Task and Map outside the failure path catches everything into it; the failure path formats only the fields an error has', () => {
    for (const [name, state] of Object.entries(states)) {
      if ((state.Type === 'Task' || state.Type === 'Map') && name !== STATE.finishFailed) {
        expect(state.Catch?.[0]?.ErrorEquals).toEqual(['States.ALL']);
        expect([STATE.stepFailed, STATE.nextFailed, STATE.startFailed]).toContain(state.Catch?.[0]?.Next);
      }
    }
    expect(states[STATE.stepFailed]).toMatchObject({ InputPath: '$.d.failure', ResultPath: '$.f', Next: STATE.failure });
    expect(states[STATE.nextFailed]).toMatchObject({ InputPath: '$.d.nextFailure', ResultPath: '$.f', Next: STATE.failure });
    expect(JSON.stringify(states[STATE.failureWithoutCause])).not.toContain('Cause');
    expect(states[STATE.runFailed]).toMatchObject({ Type: 'Fail', Error: 'Curtain.RunFailed' });
  });

  test('the same plan compiles to the same definition', () => {
    expect(JSON.stringify(compilePlan(plan, TARGETS))).toBe(JSON.stringify(definition));
  });
});

describe('a second tenant in another account', () => {
  const plan = catalogPlan('isolation');
  const prepared = prepareStudy(plan, { primaryAccount: '111111111111', tenantAccounts: { b: '222222222222' } });
  const states = prepared.definition.States;

  test('updates of its functions go through states that assume the tenant\'s updater role given in the driver\'s answer', () => {
    const dispatch = states[STATE.dispatch] as ChoiceState;
    expect(JSON.stringify(dispatch.Choices)).toContain('"Variable":"$.d.role","IsPresent":true');
    expect((states[STATE.updateAs] as TaskState).Credentials).toEqual({ 'RoleArn.$': '$.d.role' });
    expect((states[STATE.pollAs] as TaskState).Credentials).toEqual({ 'RoleArn.$': '$.d.role' });
    expect((states[STATE.update] as TaskState).Credentials).toBeUndefined();
    expect(prepared.deployment.orchestration?.updateRoles?.['node-m128-b-0']).toBe('arn:aws:iam::222222222222:role/curtain-isolation-tenant-b-updater-us-east-1');
    expect(prepared.deployment.orchestration?.updateRoles?.['node-m128-a-0']).toBeUndefined();
    expect(prepared.deployment.targets['node-m128-b-0']).toBe('arn:aws:lambda:us-east-1:222222222222:function:curtain-isolation-node-m128-b-0');
    expect(prepared.deployment.targets['node-m128-a-0']).toBe('curtain-isolation-node-m128-a-0');
    const result = validateAsl(structuredClone(prepared.definition));
    if (!result.isValid) throw new Error(result.errorsText());
  });

  test('without the primary account, a cross-account tenant is refused with a hint', () => {
    expect(() => studyTopology(plan, { tenantAccounts: { b: '222222222222' } })).toThrow(/-c account=/);
  });
});

describe('Step Functions limits: runs split into executions', () => {
  test.each([...plans.keys()])('%s at default parameters: every execution within the history and duration limits', (id) => {
    const prepared = prepareStudy(plans.get(id)!);
    const { segmentation } = prepared.usage;
    expect(prepared.usage.exceeded).toEqual([]);
    expect(segmentation.segments.reduce((n, s) => n + s.steps, 0)).toBe(plans.get(id)!.steps.length);
    for (const s of segmentation.segments) {
      expect(s.units).toBeLessThanOrEqual(SEGMENT_HEADROOM * STEP_FUNCTIONS_LIMITS.historyEvents);
      expect(s.boundSeconds).toBeLessThanOrEqual(STEP_FUNCTIONS_LIMITS.maxExecutionSeconds);
    }
    expect(prepared.deployment.orchestration?.handOverAt).toEqual(segmentation.handOverAt);
    expect(prepared.definition.TimeoutSeconds).toBe(Math.ceil(Math.max(...segmentation.segments.map((s) => s.boundSeconds))));
  });

  test('lifetime at 168 h: several executions, each as full as the limit allows, handing over at consecutive steps', () => {
    const plan = lifetimePlan(168);
    const { segmentation } = prepareStudy(plan).usage;
    expect(segmentation.segments.length).toBeGreaterThan(3);
    const cap = SEGMENT_HEADROOM * STEP_FUNCTIONS_LIMITS.historyEvents;
    segmentation.segments.forEach((s, i) => {
      expect(s.units).toBeLessThanOrEqual(cap);
      // A full segment could not have taken its successor's first step.
      if (i + 1 < segmentation.segments.length) expect(s.units + stepEvents(plan.steps[s.last + 1]!, { crossAccountUpdates: false, anchoredWaits: false }).bound).toBeGreaterThan(cap);
      if (i > 0) expect(s.first).toBe(segmentation.segments[i - 1]!.last + 1);
    });
    expect(segmentation.nearest.limit.what).toMatch(/history events/);
  });

  test('a single step that cannot fit one execution is refused, naming the step and the limit', () => {
    const plan = catalogPlan('accounting');
    const wait = plan.steps.find((s) => s.kind === 'wait')!;
    const yearLong = { ...plan, steps: plan.steps.map((s) => (s.index === wait.index ? { ...s, seconds: 366 * 24 * 3600 } : s)) } as StudyPlan;
    expect(() => prepareStudy(yearLong)).toThrow(DeployRefusedError);
    expect(() => prepareStudy(yearLong)).toThrow(new RegExp(`step ${wait.id} may take \\d+ s alone, longer than one execution may run \\(Step Functions Standard execution duration: 31,536,000 s`));
  });

  test('history events of one walked step, counted by hand', () => {
    const plan = plans.get('accounting')!;
    const shape = aslShape(plan, undefined);
    const burst = plan.steps.find((s) => s.kind === 'burst')!;
    const wait = plan.steps.find((s) => s.kind === 'wait')!;
    // Describe (Task 5) + Dispatch (2) + the step + AfterStep (2); a one-shard burst is a Task (5), a wait 2.
    expect(stepEvents(burst, shape).typical).toBe(5 + 2 + 5 + 2);
    expect(stepEvents(wait, shape).typical).toBe(5 + 2 + 2 + 2);
    // execution 2 + Begin 2 + Init 2 + StartRun 5 + FinishRun 5
    expect(executionFixedEvents().typical).toBe(2 + 2 + 2 + 5 + 5);
    const segmentation = aslSegmentation(plan, shape);
    expect(segmentation.segments).toHaveLength(1);
    const bursts = plan.steps.filter((s) => s.kind === 'burst').length;
    expect(segmentation.segments[0]!.typicalUnits).toBe(16 + 14 * bursts + 11 * (plan.steps.length - bursts));
  });

  test('forced small segments: hand-overs every n steps, resets in the first execution', () => {
    const plan = plans.get('update-consistency')!;
    const segmentation = aslSegmentation(plan, aslShape(plan, undefined), { maxStepsPerSegment: 7 });
    expect(segmentation.handOverAt).toEqual(Array.from({ length: Math.ceil(plan.steps.length / 7) - 1 }, (_, i) => 7 * (i + 1)));
    expect(segmentation.segments[0]!.first).toBe(-1);
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
