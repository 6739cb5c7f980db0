/**
 * Runs the generated Workflows source in a small evaluator of the subset it
 * uses (../../stacks/gcp/workflows-evaluator.ts: there is no Workflows emulator
 * to install), with the driver and the Cloud Functions connector faked, and
 * records what the workflow asked for, in order.
 */
import type { StudyPlan } from '../../../experiments/plan-schema';
import { compileWorkflow, WORKFLOW_ENV, WORKFLOW_LIMITS } from '../../../stacks/gcp/workflow/compile-workflow';
import { runWorkflow, WorkflowRaise, type Value } from '../../stacks/gcp/workflows-evaluator';
import { type RawAction, TRACE_RUN } from '../orchestrator-trace';
import type { TraceRunner } from './trace-runner';

const DRIVER_URL = 'https://curtain-driver-xyz.a.run.app';
const ENV = { [WORKFLOW_ENV.driverUrl]: DRIVER_URL, CURTAIN_PROJECT_A: 'proj-a', CURTAIN_PROJECT_B: 'proj-b', GOOGLE_CLOUD_LOCATION: 'us-central1' };

export interface Execution {
  result: Value;
  actions: RawAction[];
  /** Seconds the workflow slept. */
  slept: number;
}

/** Runs the compiled workflow; `failDriver` decides which driver calls raise an HTTP error. */
export interface Faults {
  driver?: (body: Record<string, Value>) => boolean;
  /** Fails the n-th update call (0-based). */
  update?: number;
}

export async function executeWorkflow(plan: StudyPlan, faults: Faults = {}, yaml = compileWorkflow(plan).yaml): Promise<Execution> {
  let updates = 0;
  const actions: RawAction[] = [];
  const env = { ...plan.functions.reduce((state, f) => ({ ...state, [f.key]: { ...f.env } }), {} as Record<string, Record<string, string>>) };
  const memory: Record<string, number> = Object.fromEntries(plan.functions.map((f) => [f.key, f.memoryMb]));
  const byName = new Map(plan.functions.map((f) => [f.name, f]));
  let clock = Date.parse('2026-11-26T12:00:00Z') / 1000;
  let slept = 0;
  const result = await runWorkflow(yaml, { run: TRACE_RUN }, {
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
        return { code: 200, body: { ok: true } };
      }
      if (name === 'sys.sleep') {
        const seconds = args.seconds as number;
        expect(seconds).toBeGreaterThan(0);
        clock += seconds;
        slept += seconds;
        actions.push({ kind: 'wait', seconds });
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


export const workflowsTraceRunner: TraceRunner = {
  async run(plan, compiled) {
    return (await executeWorkflow(plan, {}, compiled.definition as string)).actions;
  },
};
