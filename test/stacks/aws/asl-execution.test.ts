/**
 * The compiled state machines executed by aws-local-stepfunctions, with every
 * Task stubbed to record its call and every Wait skipped: a run issues exactly
 * the plan's steps, in order, with their parameters, and every failure still
 * closes the run through finish-run.
 *
 * The expected calls are derived here from the plan alone (the contract in
 * experiments/plan-schema.ts), not from the compiler.
 */
import type { StudyPlan } from '../../../experiments/plan-schema';
import { compilePlan } from '../../../stacks/aws/asl/compile-plan';
import { TRACE_RUN } from '../../targets/orchestrator-trace';
import { ASL_ENTERED, type AslBehaviour, type AslCall, type AslExecution, executeAsl } from '../../targets/trace-runners/aws';
import { UPDATE_POLL } from '../../../stacks/aws/asl/orchestration-policy';
import { mixedDefinition } from './definitions';
import { catalogPlan, definitionPlan } from './fixtures';

const RUN = TRACE_RUN;
const ENTERED = ASL_ENTERED;

type Json = Record<string, unknown>;
type Call = AslCall;
type Execution = AslExecution;

function targets(plan: StudyPlan) {
  return { driver: 'the-driver', functions: Object.fromEntries(plan.functions.map((f) => [f.key, `fn-${f.key}`])) };
}

function execute(plan: StudyPlan, behaviour: AslBehaviour = {}): Promise<Execution> {
  return executeAsl(plan, compilePlan(plan, targets(plan)), (name) => String(name).replace(/^fn-/, ''), behaviour);
}

/** The driver and update calls a plan asks for, in order: derived from the plan contract only. */
function expectedCalls(plan: StudyPlan): Call[] {
  const common = { v: 1, study: plan.study.id, run: RUN, planHash: plan.hash };
  const calls: Call[] = [{ kind: 'driver', payload: { ...common, action: 'start-run' } }];
  const memoryChanged = new Set(plan.steps.flatMap((s) => (s.kind === 'update' && s.change.kind === 'memory' ? [s.function] : [])));
  const updatedInOrder = [...new Set(plan.steps.flatMap((s) => (s.kind === 'update' ? [s.function] : [])))];
  const config = new Map(plan.functions.map((f) => [f.key, { env: { ...f.env }, memory: f.memoryMb }]));
  for (const key of updatedInOrder) {
    const fn = plan.functions.find((f) => f.key === key)!;
    calls.push({ kind: 'update', function: key, env: fn.env, ...(memoryChanged.has(key) ? { memory: fn.memoryMb } : {}) });
  }
  for (const step of plan.steps) {
    if (step.kind === 'burst') {
      for (let shard = 0; shard < step.shards; shard++) {
        calls.push({ kind: 'driver', payload: { ...common, action: 'burst', step, shard, stepStartedAt: ENTERED } });
      }
    } else if (step.kind === 'update') {
      const current = config.get(step.function)!;
      const env: Record<string, string> = { ...current.env, CURTAIN_GENERATION: step.generation };
      if (step.change.kind === 'env') env[step.change.name] = step.change.value;
      const memory = step.change.kind === 'memory' ? step.change.memoryMb : current.memory;
      config.set(step.function, { env, memory });
      calls.push({ kind: 'update', function: step.function, env, ...(memoryChanged.has(step.function) && step.change.kind === 'memory' ? { memory } : {}) });
    }
  }
  calls.push({ kind: 'driver', payload: { ...common, action: 'finish-run', status: 'completed', stepsCompleted: plan.steps.length, failures: [] } });
  return calls;
}

/** Shards of one burst run concurrently: compare each step's shard calls as a set. */
function inPlanOrder(calls: Call[]): Call[] {
  const withoutPolls = calls.filter((c) => c.kind !== 'poll');
  const shardRank = (c: Call) => (c.kind === 'driver' && c.payload.action === 'burst' ? (c.payload.shard as number) : 0);
  const stepOf = (c: Call) => (c.kind === 'driver' && c.payload.action === 'burst' ? (c.payload.step as Json).index : null);
  return withoutPolls
    .map((c, i) => ({ c, i }))
    .sort((a, b) => {
      const sa = stepOf(a.c);
      const sb = stepOf(b.c);
      return sa !== null && sa === sb ? shardRank(a.c) - shardRank(b.c) : a.i - b.i;
    })
    .map(({ c }) => c);
}

describe.each([
  ['coldstart (updates, Node.js and Python)', () => catalogPlan('coldstart')],
  ['update-consistency (waits and updates)', () => catalogPlan('update-consistency')],
  ['scalability (two-shard bursts)', () => catalogPlan('scalability')],
  ['a user study (memory, env and refresh updates, a fractional wait, a five-shard burst)', () => definitionPlan(mixedDefinition())],
])('%s', (_name, makePlan) => {
  let plan: StudyPlan;
  let execution: Execution;
  beforeAll(async () => {
    plan = makePlan();
    execution = await execute(plan);
  });

  test('the execution succeeds and enters every plan step in order', () => {
    expect(execution.error).toBeNull();
    expect(execution.stepsEntered).toEqual(plan.steps.map((s) => s.id));
    expect(execution.waitsEntered).toEqual(plan.steps.filter((s) => s.kind === 'wait').map((s) => s.id));
  });

  test('it issues exactly the plan\'s driver calls and updates, with their parameters, in order', () => {
    expect(inPlanOrder(execution.calls)).toEqual(expectedCalls(plan));
  });

  test('each update is polled until Successful (here: once InProgress, then Successful)', () => {
    const updates = execution.calls.filter((c) => c.kind === 'update').length;
    const polls = execution.calls.filter((c) => c.kind === 'poll').length;
    expect(polls).toBe(2 * updates);
  });
});

describe('failures are caught and the run is closed', () => {
  const plan = definitionPlan(mixedDefinition());
  const wide = plan.steps.find((s) => s.kind === 'burst' && s.shards > 1)!;
  const finishOf = (e: Execution) => e.calls.filter((c): c is Extract<Call, { kind: 'driver' }> => c.kind === 'driver' && c.payload.action === 'finish-run');

  test('a driver shard that fails stops the run at its step and finish-run records it', async () => {
    const e = await execute(plan, { failDriver: { action: 'burst', step: wide.index, shard: 3 } });
    expect(e.error?.message ?? '').toMatch(/Curtain\.RunFailed|failed/);
    const finish = finishOf(e);
    expect(finish).toHaveLength(1);
    expect(finish[0]!.payload).toMatchObject({ action: 'finish-run', status: 'failed', stepsCompleted: wide.index, run: RUN, planHash: plan.hash });
    const failures = finish[0]!.payload.failures as { step: number; shard: null; message: string }[];
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ step: wide.index, shard: null });
    expect(failures[0]!.message).toMatch(new RegExp(`^${wide.id} failed: DriverRefusedError: driver refused burst`));
    // Nothing after the failed step was sent.
    expect(e.stepsEntered[e.stepsEntered.length - 1]).toBe(wide.id);
  });

  test('an update that never completes fails after the bounded number of polls', async () => {
    const e = await execute(plan, { pollsInProgress: Number.POSITIVE_INFINITY });
    const firstUpdate = e.calls.find((c) => c.kind === 'update')!;
    expect(e.calls.filter((c) => c.kind === 'poll')).toHaveLength(UPDATE_POLL.maxPolls);
    const finish = finishOf(e);
    expect(finish).toHaveLength(1);
    const failures = finish[0]!.payload.failures as { step: number; message: string }[];
    // The first update is the reset of a function before step 0.
    expect(finish[0]!.payload).toMatchObject({ status: 'failed', stepsCompleted: 0 });
    expect(failures[0]!.step).toBe(-1);
    expect(failures[0]!.message).toContain(`Reset_${(firstUpdate as { function: string }).function} failed: Curtain.UpdateNotApplied`);
    expect(failures[0]!.message).toContain(`after ${UPDATE_POLL.maxPolls} polls`);
  });

  test('a failed start-run still calls finish-run (0 steps completed)', async () => {
    const e = await execute(plan, { failDriver: { action: 'start-run' } });
    const finish = finishOf(e);
    expect(finish).toHaveLength(1);
    expect(finish[0]!.payload).toMatchObject({ status: 'failed', stepsCompleted: 0 });
    expect(e.calls.filter((c) => c.kind === 'update')).toHaveLength(0);
  });

  test('a failed finish-run (completed) is retried as finish-run (failed), then the execution fails', async () => {
    const e = await execute(catalogPlan('accounting'), { failDriver: { action: 'finish-run' } });
    const finish = finishOf(e);
    expect(finish.map((c) => c.payload.status)).toEqual(['completed', 'failed']);
    expect(e.error).not.toBeNull();
  });
});
