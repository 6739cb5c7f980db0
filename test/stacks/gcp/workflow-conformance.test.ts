/**
 * The generated Workflows source, parsed and run by a small evaluator of the
 * subset it uses (./workflows-evaluator.ts: there is no Workflows emulator to
 * install), must issue exactly the plan's steps in order.
 */
import { planStudy } from '../../../experiments/plan';
import type { StudyPlan } from '../../../experiments/plan-schema';
import { compileWorkflow, WORKFLOW_ENV, WORKFLOW_LIMITS, WorkflowTooLargeError } from '../../../stacks/gcp/workflow/compile-workflow';
import {
  anchoredWaitsDefinition,
  catalogPlan,
  CONFORMANCE_STUDIES,
  everyStepKindDefinition,
  expectedTrace,
  type RawAction,
  RUN_STARTED_AT,
  startRunAnswer,
  toTrace,
} from '../cdktf/orchestrator-trace';
import { runWorkflow, WorkflowRaise, type Value } from './workflows-evaluator';

const RUN = '20261126T120000Z-abc1';
const DRIVER_URL = 'https://curtain-driver-xyz.a.run.app';
const ENV = { [WORKFLOW_ENV.driverUrl]: DRIVER_URL, CURTAIN_PROJECT_A: 'proj-a', CURTAIN_PROJECT_B: 'proj-b', GOOGLE_CLOUD_LOCATION: 'us-central1' };

interface Execution {
  result: Value;
  actions: RawAction[];
  /** Seconds the workflow slept. */
  slept: number;
}

/** Runs the compiled workflow; `failDriver` decides which driver calls raise an HTTP error. */
interface Faults {
  driver?: (body: Record<string, Value>) => boolean;
  /** Fails the n-th update call (0-based). */
  update?: number;
}

async function execute(plan: StudyPlan, faults: Faults = {}): Promise<Execution> {
  let updates = 0;
  const { yaml } = compileWorkflow(plan);
  const actions: RawAction[] = [];
  const env = { ...plan.functions.reduce((state, f) => ({ ...state, [f.key]: { ...f.env } }), {} as Record<string, Record<string, string>>) };
  const memory: Record<string, number> = Object.fromEntries(plan.functions.map((f) => [f.key, f.memoryMb]));
  const byName = new Map(plan.functions.map((f) => [f.name, f]));
  let clock = Date.parse(RUN_STARTED_AT) / 1000;
  let slept = 0;
  const result = await runWorkflow(yaml, { run: RUN }, {
    env: ENV,
    now: () => clock,
    async call(name, args): Promise<Value> {
      if (name === 'http.post') {
        expect(args.url).toBe(DRIVER_URL);
        expect(args.auth).toEqual({ type: 'OIDC' });
        expect(typeof args.timeout).toBe('number');
        expect(args.timeout as number).toBeLessThanOrEqual(WORKFLOW_LIMITS.httpTimeoutSeconds);
        const body = args.body as Record<string, Value>;
        actions.push({ kind: 'driver', event: body });
        // Let a moment pass so shards that did not share one stepStartedAt would show it.
        clock += 0.25;
        if (faults.driver?.(body)) throw new WorkflowRaise({ message: 'HTTP server responded with error code 500', code: 500, tags: ['HttpError'] });
        return { code: 200, body: (body.action === 'start-run' ? startRunAnswer(plan, RUN) : { ok: true }) as Value };
      }
      if (name === 'sys.sleep') {
        const seconds = args.seconds as number;
        expect(seconds).toBeGreaterThan(0);
        clock += seconds;
        slept += seconds;
        actions.push({ kind: 'wait', seconds });
        return null;
      }
      if (name === 'sys.sleep_until') {
        const until = Date.parse(String(args.time)) / 1000;
        expect(Number.isFinite(until)).toBe(true);
        actions.push({ kind: 'wait-until', until: new Date(until * 1000).toISOString() });
        if (until > clock) {
          slept += until - clock;
          clock = until;
        }
        return null;
      }
      if (name === 'googleapis.cloudfunctions.v2.projects.locations.functions.patch') {
        // Reconstruct the change from the request alone, as Cloud Functions would apply it.
        const m = /^projects\/([^/]+)\/locations\/us-central1\/functions\/(.+)$/.exec(String(args.name));
        expect(m).not.toBeNull();
        if (faults.update === updates++) throw new WorkflowRaise({ message: 'Permission denied', code: 403, tags: ['HttpError'] });
        const fn = byName.get(m![2]!)!;
        expect(fn).toBeDefined();
        expect(m![1]).toBe(fn.tenant === 'a' ? 'proj-a' : 'proj-b');
        const config = (args.body as { serviceConfig: Record<string, Value> }).serviceConfig;
        const mask = String(args.updateMask).split(',');
        expect(mask).toContain('serviceConfig.environmentVariables');
        const nextEnv = config.environmentVariables as Record<string, string>;
        // The whole environment is sent: nothing the function had may be lost.
        for (const key of Object.keys(env[fn.key]!)) expect(nextEnv).toHaveProperty(key);
        let change: Extract<RawAction, { kind: 'update' }>['change'] = { kind: 'refresh' };
        if (config.availableMemory !== undefined) {
          expect(mask).toEqual(expect.arrayContaining(['serviceConfig.availableMemory', 'serviceConfig.availableCpu']));
          const mb = Number(/^(\d+)Mi$/.exec(String(config.availableMemory))![1]);
          expect(mb).not.toBe(memory[fn.key]);
          memory[fn.key] = mb;
          change = { kind: 'memory', memoryMb: mb };
        } else {
          const changed = Object.keys(nextEnv).filter((k) => k !== 'CURTAIN_GENERATION' && nextEnv[k] !== env[fn.key]![k]);
          expect(changed.length).toBeLessThanOrEqual(1);
          if (changed.length === 1) change = { kind: 'env', name: changed[0]!, value: nextEnv[changed[0]!]! };
        }
        env[fn.key] = nextEnv;
        actions.push({ kind: 'update', function: fn.key, generation: nextEnv.CURTAIN_GENERATION!, change });
        return { name: args.name };
      }
      throw new Error(`unexpected call ${name}`);
    },
  });
  return { result, actions, slept };
}

describe('Workflows conformance: the generated YAML walks the plan', () => {
  it.each(CONFORMANCE_STUDIES)('%s issues exactly the plan steps in order', async (id) => {
    const plan = catalogPlan(id, 'gcp');
    const { result, actions } = await execute(plan);
    expect(toTrace(plan, RUN, actions)).toEqual(expectedTrace(plan, RUN));
    expect(result).toEqual({ run: RUN, status: 'completed', stepsCompleted: plan.steps.length, failures: [] });
  });

  it('ends waits anchored to the run start (repeat every, untilSeconds, arrival chunks) at the times start-run gave', async () => {
    const plan = planStudy(anchoredWaitsDefinition(), { provider: 'gcp' });
    expect(plan.steps.filter((s) => s.kind === 'wait' && s.untilSeconds !== undefined).length).toBeGreaterThanOrEqual(5);
    const { result, actions } = await execute(plan);
    expect(toTrace(plan, RUN, actions)).toEqual(expectedTrace(plan, RUN));
    expect(result).toMatchObject({ status: 'completed', stepsCompleted: plan.steps.length });
  });

  it('covers multi-shard bursts with a shared barrier, env, refresh and memory updates, and fractional waits', async () => {
    const plan = planStudy(everyStepKindDefinition([256], 512), { provider: 'gcp' });
    expect(plan.steps.some((s) => s.kind === 'burst' && s.shards >= 3)).toBe(true);
    const { actions, slept } = await execute(plan);
    const trace = toTrace(plan, RUN, actions);
    expect(trace).toEqual(expectedTrace(plan, RUN));
    expect(trace.filter((t) => t.kind === 'update').map((t) => (t as { change: { kind: string } }).change.kind)).toEqual(
      expect.arrayContaining(['env', 'refresh', 'memory']),
    );
    expect(slept).toBeCloseTo(90.5);
  });

  it('records a failed shard and a failed update, runs the remaining steps and closes the run as failed', async () => {
    const plan = planStudy(everyStepKindDefinition([256], 512), { provider: 'gcp' });
    const wide = plan.steps.find((s) => s.kind === 'burst' && s.shards >= 3)!;
    // The second update is a refresh: failing it changes no later request.
    const failedUpdate = plan.steps.filter((s) => s.kind === 'update')[1]!;
    expect(failedUpdate).toMatchObject({ change: { kind: 'refresh' } });
    const { result, actions } = await execute(plan, {
      driver: (body) => body.action === 'burst' && (body.step as { index: number }).index === wide.index && body.shard === 1,
      update: 1,
    });
    const trace = toTrace(plan, RUN, actions);
    const expected = expectedTrace(plan, RUN);
    // Every step was still issued (the failed update left no trace of a change)...
    expect(trace.slice(0, -1)).toEqual(expected.slice(0, -1).filter((t) => t !== expected.filter((e) => e.kind === 'update')[1]));
    // ...and the run closed with each failure attributed to its step and shard.
    const failures = [
      { step: wide.index, shard: 1 },
      { step: failedUpdate.index, shard: null },
    ];
    expect(trace.at(-1)).toEqual({ kind: 'finish-run', status: 'failed', stepsCompleted: plan.steps.length - 2, failures });
    expect(result).toMatchObject({ status: 'failed', stepsCompleted: plan.steps.length - 2 });
  });

  it('skips the schedule but still closes the run when start-run fails', async () => {
    const plan = catalogPlan('coldstart', 'gcp');
    const { actions, result } = await execute(plan, { driver: (body) => body.action === 'start-run' });
    expect(toTrace(plan, RUN, actions)).toEqual([
      { kind: 'start-run', run: RUN },
      { kind: 'finish-run', status: 'failed', stepsCompleted: 0, failures: [{ step: -1, shard: null }] },
    ]);
    expect(result).toMatchObject({ status: 'failed' });
  });

  it('fits the longest catalog study in the source limit and refuses a schedule that does not fit', () => {
    const lifetime = catalogPlan('lifetime', 'gcp');
    const compiled = compileWorkflow(lifetime);
    expect(Buffer.byteLength(compiled.yaml)).toBeLessThanOrEqual(WORKFLOW_LIMITS.sourceBytes);
    expect(compiled.schedule).toHaveLength(lifetime.steps.length);
    // Twice the steps no longer fits: the compiler says so instead of deploying a broken workflow.
    const doubled = { ...lifetime, steps: [...lifetime.steps, ...lifetime.steps.map((s) => ({ ...s, index: s.index + lifetime.steps.length }))] };
    expect(() => compileWorkflow(doubled as StudyPlan)).toThrow(WorkflowTooLargeError);
  });

  it('deduplicates identical bursts into templates the loop restores exactly', () => {
    const plan = catalogPlan('lifetime', 'gcp');
    const { bursts, schedule } = compileWorkflow(plan);
    expect(Object.keys(bursts).length).toBeLessThan(5);
    expect(schedule.filter((e) => e.kind === 'burst')).toHaveLength(plan.steps.filter((s) => s.kind === 'burst').length);
  });
});
