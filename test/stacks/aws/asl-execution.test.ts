/**
 * The compiled state machines executed by aws-local-stepfunctions
 * (./asl-harness.ts): every Lambda invocation goes through the driver's own
 * checks and describe-step, configuration updates to a fake Lambda, Wait
 * states are skipped, and a StartExecution of the next segment is run as the
 * next execution. A run issues exactly the plan's steps, in order, with their
 * parameters, whether it takes one execution or many, and every failure still
 * closes the run through finish-run.
 *
 * The expected calls are derived here from the plan alone (the contract in
 * experiments/plan-schema.ts), not from the compiler or the driver.
 */
import type { StudyPlan } from '../../../experiments/plan-schema';
import { UPDATE_POLL } from '../../../stacks/aws/asl/orchestration-policy';
import { prepareStudy } from '../../../stacks/aws/prepare-study';
import { expectEachStepOnce } from '../../targets/recording-driver';
import { STATE } from '../../../stacks/aws/asl/compile-plan';
import { type AwsBehaviour, type AwsCall, type AwsRun, ENTERED, RUN, runExecutions, START_INPUT, STATE_MACHINE_ARN } from './asl-harness';
import { mixedDefinition, type StudyDefinitionInput } from './definitions';
import { catalogPlan, definitionPlan } from './fixtures';

// The Amazon States Language validator the conformance suite uses (test/conformance/aws/state-machines.ts).
const validateAsl = require('asl-validator') as (definition: unknown) => { isValid: boolean; errorsText(): string };

type Json = Record<string, unknown>;
type Expected = { kind: 'driver'; payload: Json } | { kind: 'update'; target: string; env: Record<string, string>; memory: number };

async function execute(plan: StudyPlan, options: { maxStepsPerSegment?: number } & AwsBehaviour = {}): Promise<AwsRun> {
  const prepared = prepareStudy(plan, { maxStepsPerSegment: options.maxStepsPerSegment });
  return runExecutions(plan, prepared.definition, prepared.deployment.orchestration, options);
}

/** The driver calls (describes left out) and updates a plan asks for, in order: derived from the plan contract only. */
function expectedCalls(plan: StudyPlan): Expected[] {
  const common = { v: 1, study: plan.study.id, run: RUN, planHash: plan.hash };
  // start-run gets the execution's input, which carries the template hash for run.json.
  const calls: Expected[] = [{ kind: 'driver', payload: { ...common, action: 'start-run', execution: START_INPUT } }];
  const config = new Map(plan.functions.map((f) => [f.key, { env: { ...f.env }, memory: f.memoryMb }]));
  // Resets: each updated function, in order of first update, back to what the plan deploys.
  for (const key of new Set(plan.steps.flatMap((s) => (s.kind === 'update' ? [s.function] : [])))) {
    calls.push({ kind: 'update', target: `fn-${key}`, env: config.get(key)!.env, memory: config.get(key)!.memory });
  }
  for (const step of plan.steps) {
    if (step.kind === 'burst') {
      for (let shard = 0; shard < step.shards; shard++) calls.push({ kind: 'driver', payload: { ...common, action: 'burst', step, shard, stepStartedAt: ENTERED } });
    } else if (step.kind === 'update') {
      const current = config.get(step.function)!;
      const env: Record<string, string> = { ...current.env, CURTAIN_GENERATION: step.generation };
      if (step.change.kind === 'env') env[step.change.name] = step.change.value;
      const memory = step.change.kind === 'memory' ? step.change.memoryMb : current.memory;
      config.set(step.function, { env, memory });
      calls.push({ kind: 'update', target: `fn-${step.function}`, env, memory });
    }
  }
  calls.push({ kind: 'driver', payload: { ...common, action: 'finish-run', status: 'completed', stepsCompleted: plan.steps.length, failures: [] } });
  return calls;
}

/** What the run did, in the terms of expectedCalls: describes, polls and hand-overs left out, shards of one burst in shard order. */
function issued(calls: AwsCall[]): Expected[] {
  const kept: Expected[] = calls.flatMap((c): Expected[] => {
    if (c.kind === 'driver') return c.payload.action === 'describe-step' ? [] : [{ kind: 'driver', payload: c.payload }];
    if (c.kind === 'update') return [{ kind: 'update', target: c.target, env: c.env, memory: c.memory }];
    return [];
  });
  const shardOf = (c: Expected) => (c.kind === 'driver' && c.payload.action === 'burst' ? { step: (c.payload.step as Json).index, shard: c.payload.shard as number } : null);
  return kept
    .map((c, i) => ({ c, i }))
    .sort((a, b) => {
      const [sa, sb] = [shardOf(a.c), shardOf(b.c)];
      return sa && sb && sa.step === sb.step ? sa.shard - sb.shard : a.i - b.i;
    })
    .map(({ c }) => c);
}

const finishes = (run: AwsRun) => run.calls.filter((c): c is Extract<AwsCall, { kind: 'driver' }> => c.kind === 'driver' && c.payload.action === 'finish-run');

describe.each([
  ['coldstart (updates, Node.js and Python)', () => catalogPlan('coldstart')],
  ['update-consistency (waits and updates)', () => catalogPlan('update-consistency')],
  ['scalability (two-shard bursts)', () => catalogPlan('scalability')],
  ['a user study (memory, env and refresh updates, a fractional wait, a five-shard burst)', () => definitionPlan(mixedDefinition())],
])('%s', (_name, makePlan) => {
  let plan: StudyPlan;
  beforeAll(() => {
    plan = makePlan();
  });

  test('one execution issues exactly the plan\'s driver calls and updates, with their parameters, in order', async () => {
    const run = await execute(plan);
    expect(run.executions).toEqual([RUN]);
    expect(run.errors).toEqual([null]);
    expect(issued(run.calls)).toEqual(expectedCalls(plan));
    expectEachStepOnce(plan, run.events, { resets: true });
    // Each update is polled until Successful (here: once InProgress, then Successful).
    expect(run.calls.filter((c) => c.kind === 'poll').length).toBe(2 * run.calls.filter((c) => c.kind === 'update').length);
  });

  test('split into executions of at most 7 steps, the driver sees the same steps in order, once each', async () => {
    const run = await execute(plan, { maxStepsPerSegment: 7 });
    const segments = Math.ceil(plan.steps.length / 7);
    expect(run.executions).toEqual([RUN, ...Array.from({ length: segments - 1 }, (_, i) => `${RUN}-s${i + 1}`)]);
    expect(run.errors.every((e) => e === null)).toBe(true);
    expect(issued(run.calls)).toEqual(expectedCalls(plan));
    expectEachStepOnce(plan, run.events, { resets: true });
    // Each execution started the next at the following step, as the same state machine, naming its parent.
    const starts = run.calls.filter((c): c is Extract<AwsCall, { kind: 'start-execution' }> => c.kind === 'start-execution');
    expect(starts.map((c) => c.input.next)).toEqual(Array.from({ length: segments - 1 }, (_, i) => 7 * (i + 1)));
    starts.forEach((c, i) => {
      expect(c.stateMachine).toBe(STATE_MACHINE_ARN);
      expect(c.input).toEqual({ run: RUN, next: 7 * (i + 1), AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: expect.stringContaining(`:${run.executions[i]}`) });
      expect(c.execution).toBe(run.executions[i]);
    });
    // Only the first execution starts the run; only the last one closes it.
    expect(run.calls.filter((c) => c.kind === 'driver' && c.payload.action === 'start-run').map((c) => c.execution)).toEqual([RUN]);
    expect(finishes(run).map((c) => c.execution)).toEqual([run.executions.at(-1)]);
  });
});

describe('hand-overs at the places that matter', () => {
  test('right after an update and in the middle of a repeat: every later request sees the updated configuration', async () => {
    // update-consistency: an update, then `burstsAfter` (wait, burst) pairs, repeated `rounds` times.
    const plan = catalogPlan('update-consistency', { rounds: 3, burstsAfter: 4 });
    const update = plan.steps.filter((s) => s.kind === 'update')[1]!;
    const prepared = prepareStudy(plan, { maxStepsPerSegment: update.index + 1 });
    const handOverAt = prepared.deployment.orchestration!.handOverAt;
    // One boundary right after the second update, one inside the repeat of the third round.
    expect(handOverAt).toContain(update.index + 1);
    const rounds = plan.steps.filter((s) => s.kind === 'update').map((s) => s.index);
    expect(handOverAt.some((at) => at > rounds[2]! + 1 && at < plan.steps.length - 1)).toBe(true);
    const run = await runExecutions(plan, prepared.definition, prepared.deployment.orchestration);
    expect(run.errors.every((e) => e === null)).toBe(true);
    expect(issued(run.calls)).toEqual(expectedCalls(plan));
    expectEachStepOnce(plan, run.events, { resets: true });
    // The execution after the boundary starts with the step after the update, never the update again.
    const second = run.events.filter((e) => e.action === 'describe-step').map((e) => e.index);
    expect(second.filter((i) => i === update.index)).toHaveLength(1);
    const lastUpdate = plan.steps.filter((s) => s.kind === 'update').at(-1)!;
    expect(run.configurations.get(`fn-${plan.functions[0]!.key}`)!.env.CURTAIN_GENERATION).toBe(lastUpdate.kind === 'update' ? lastUpdate.generation : '');
  });

  test('a failure in a later execution is recorded at its step with the steps completed before it', async () => {
    const plan = catalogPlan('update-consistency');
    const victim = plan.steps.filter((s) => s.kind === 'burst')[20]!;
    const run = await execute(plan, {
      maxStepsPerSegment: 7,
      fail: (e) => (e.action === 'burst' && e.step.index === victim.index ? Object.assign(new Error('driver died'), { name: 'Lambda.Unknown' }) : undefined),
    });
    expect(run.executions.length).toBe(Math.floor(victim.index / 7) + 1);
    const finish = finishes(run);
    expect(finish).toHaveLength(1);
    expect(finish[0]!.execution).toBe(run.executions.at(-1));
    expect(finish[0]!.payload).toMatchObject({ status: 'failed', stepsCompleted: victim.index, failures: [{ step: victim.index, shard: null }] });
    expect((finish[0]!.payload.failures as { message: string }[])[0]!.message).toMatch(new RegExp(`^${victim.id} failed: `));
  });

  test('a hand-over that cannot start the next execution closes the run, counting the steps done', async () => {
    const plan = catalogPlan('update-consistency');
    const run = await execute(plan, {
      maxStepsPerSegment: 7,
      failTask: (c) => (c.kind === 'start-execution' && c.input.next === 14 ? Object.assign(new Error('Rate exceeded'), { name: 'StepFunctions.ExecutionLimitExceededException' }) : undefined),
    });
    expect(run.executions).toEqual([RUN, `${RUN}-s1`]);
    const finish = finishes(run);
    expect(finish).toHaveLength(1);
    expect(finish[0]!.payload).toMatchObject({ status: 'failed', stepsCompleted: 14, failures: [{ step: 14 }] });
    expect((finish[0]!.payload.failures as { message: string }[])[0]!.message).toMatch(/^hand-over to execution 3 at step 14 failed: StepFunctions.ExecutionLimitExceededException: Rate exceeded/);
  });
});

describe('waits anchored to the run\'s start (a Wait on TimestampPath)', () => {
  const anchored = (): StudyDefinitionInput => ({
    id: 'anchored-aws',
    title: 'Anchored waits on Step Functions',
    summary: 'Anchored waits between bursts, across executions.',
    paper: { experiment: 'E6', section: 'test' },
    providers: ['aws'],
    functions: { memoryMb: [128] },
    schedule: [
      { kind: 'burst', label: 'first', requestsPerTarget: 1 },
      { kind: 'wait', untilSeconds: 2 },
      { kind: 'burst', label: 'a', requestsPerTarget: 1 },
      { kind: 'wait', seconds: 0.5 },
      { kind: 'burst', label: 'b', requestsPerTarget: 1 },
      { kind: 'wait', untilSeconds: 4 },
      { kind: 'burst', label: 'c', requestsPerTarget: 1 },
    ],
    analysis: { kind: 'coldstart' },
    budget: { maxInvocations: 100, maxUsd: 1 },
  });

  test('the definition passes asl-validator; a plan without anchored waits gets no WaitUntil state', () => {
    const definition = prepareStudy(definitionPlan(anchored())).definition;
    const result = validateAsl(definition);
    expect({ valid: result.isValid, errors: result.errorsText() }).toEqual({ valid: true, errors: '' });
    expect(definition.States[STATE.waitUntil]).toMatchObject({ Type: 'Wait', TimestampPath: '$.d.untilWholeSecond', Next: STATE.afterStep });
    expect(prepareStudy(catalogPlan('idle-recycling')).definition.States[STATE.waitUntil]).toBeUndefined();
  });

  test('aws-local-stepfunctions waits until the driver\'s `until`: the run\'s start + untilSeconds, in every execution, whatever the steps before took', async () => {
    const plan = definitionPlan(anchored());
    const startedAt = Date.now();
    const sentAt = new Map<number, number>();
    const run = await execute(plan, {
      maxStepsPerSegment: 3,
      realWaits: [STATE.waitUntil],
      runStartedAt: new Date(startedAt).toISOString(),
      fail: (e) => {
        if (e.action === 'burst') sentAt.set(e.step.index, Date.now());
        return undefined;
      },
    });
    expect(run.errors.every((e) => e === null)).toBe(true);
    expect(run.executions.length).toBeGreaterThan(1);
    const waits = plan.steps.filter((s) => s.kind === 'wait' && s.untilSeconds !== undefined);
    expect(waits).toHaveLength(2);
    for (const wait of waits) {
      if (wait.kind !== 'wait') continue;
      const due = startedAt + wait.untilSeconds! * 1000;
      const sent = sentAt.get(wait.index + 1)!;
      // Timers may fire a millisecond early (ms rounding of the timestamp); the engine adds little after.
      expect(sent).toBeGreaterThanOrEqual(due - 2);
      expect(sent - due).toBeLessThan(2500);
    }
    // The engine waited until each anchor rounded up to the whole second (Step Functions truncates milliseconds).
    expect(run.timeline.filter((t) => t.kind === 'wait-until').map((t) => (t.kind === 'wait-until' ? t.until : ''))).toEqual(
      waits.map((w) => new Date(Math.ceil((startedAt + (w.kind === 'wait' ? w.untilSeconds! : 0) * 1000) / 1000) * 1000).toISOString()),
    );
  });
});

describe('failures are caught and the run is closed', () => {
  const plan = definitionPlan(mixedDefinition());
  const wide = plan.steps.find((s) => s.kind === 'burst' && s.shards > 1)!;

  test('a driver shard that fails stops the run at its step and finish-run records it', async () => {
    const run = await execute(plan, { fail: (e) => (e.action === 'burst' && e.step.index === wide.index && e.shard === 3 ? Object.assign(new Error('driver refused burst'), { name: 'DriverRefusedError' }) : undefined) });
    expect(run.errors[0]?.message ?? '').toMatch(/Curtain\.RunFailed|failed/);
    const finish = finishes(run);
    expect(finish).toHaveLength(1);
    expect(finish[0]!.payload).toMatchObject({ action: 'finish-run', status: 'failed', stepsCompleted: wide.index, run: RUN, planHash: plan.hash });
    const failures = finish[0]!.payload.failures as { step: number; shard: null; message: string }[];
    expect(failures).toEqual([{ step: wide.index, shard: null, message: expect.stringMatching(new RegExp(`^${wide.id} failed: DriverRefusedError: driver refused burst`)) }]);
    // Nothing after the failed step was described.
    expect(Math.max(...run.events.flatMap((e) => (e.action === 'describe-step' ? [e.index] : [])))).toBe(wide.index);
  });

  test('an error without a Cause still closes the run (issue 10, defect 6)', async () => {
    const run = await execute(plan, {
      fail: (e) => {
        if (e.action !== 'burst' || e.step.index !== wide.index) return undefined;
        const error = new Error();
        error.name = 'States.Timeout';
        Object.defineProperty(error, 'message', { value: undefined });
        return error;
      },
    });
    const finish = finishes(run);
    expect(finish.map((c) => c.payload.status)).toEqual(['failed']);
    expect((finish[0]!.payload.failures as { message: string }[])[0]!.message).toBe(`${wide.id} failed: States.Timeout`);
  });

  test('an update that never completes fails after the bounded number of polls (a reset, before step 0)', async () => {
    const run = await execute(plan, { pollsInProgress: Number.POSITIVE_INFINITY });
    const first = run.calls.find((c) => c.kind === 'update') as Extract<AwsCall, { kind: 'update' }>;
    expect(run.calls.filter((c) => c.kind === 'poll')).toHaveLength(UPDATE_POLL.maxPolls);
    const finish = finishes(run);
    expect(finish).toHaveLength(1);
    expect(finish[0]!.payload).toMatchObject({ status: 'failed', stepsCompleted: 0, failures: [{ step: -1 }] });
    const message = (finish[0]!.payload.failures as { message: string }[])[0]!.message;
    expect(message).toContain(`reset-${first.target.replace(/^fn-/, '')} failed: Curtain.UpdateNotApplied`);
    expect(message).toContain(`after ${UPDATE_POLL.maxPolls} polls`);
  });

  test('a failed start-run still calls finish-run (0 steps completed) and describes nothing', async () => {
    const run = await execute(plan, { fail: (e) => (e.action === 'start-run' ? new Error('bucket unreachable') : undefined) });
    const finish = finishes(run);
    expect(finish).toHaveLength(1);
    expect(finish[0]!.payload).toMatchObject({ status: 'failed', stepsCompleted: 0, failures: [{ step: -1 }] });
    expect(run.events.filter((e) => e.action === 'describe-step')).toHaveLength(0);
  });

  test('a failed finish-run (completed) is retried as finish-run (failed), then the execution fails', async () => {
    const run = await execute(catalogPlan('accounting'), { fail: (e) => (e.action === 'finish-run' ? new Error('denied') : undefined) });
    expect(finishes(run).map((c) => c.payload.status)).toEqual(['completed', 'failed']);
    expect(run.errors[0]).not.toBeNull();
  });
});
