/**
 * Runs the generated Workflows source in the evaluator of the subset it uses
 * (./workflows-evaluator.ts: there is no Workflows emulator to install) the
 * way Google would run a study's executions: calls to the driver go to a
 * recording driver (test/targets/recording-driver.ts: the driver's own checks
 * and describe-step, refusals as HTTP 400), the Cloud Functions connector to a
 * fake that reconstructs each change from the request alone, and a POST to the
 * Workflow Executions API starts the next execution with its argument, run
 * after the current one ends. Every executed step is counted per execution.
 */
import type { StudyPlan } from '../../../experiments/plan-schema';
import type { DriverEvent } from '../../../probe-runtime/contracts/driver-event';
import type { Orchestration } from '../../../probe-runtime/contracts/step-directive';
import { DriverRefusedError } from '../../../probe-runtime/driver/errors';
import { WORKFLOW_ENV, WORKFLOW_LIMITS } from '../../../stacks/gcp/workflow/compile-workflow';
import { type RawAction, TRACE_RUN } from '../../targets/orchestrator-trace';
import { type DriverFaults, recordingDriver } from '../../targets/recording-driver';
import { runWorkflow, WorkflowRaise, type Value } from '../../../twins/gcp/workflows-evaluator';

/** The run id every orchestrator trace starts its run with. */
export const RUN = TRACE_RUN;
export const DRIVER_URL = 'https://curtain-driver-xyz.a.run.app';
export const PROJECT = 'proj-a';
export const WORKFLOW_ID = 'curtain-test';
export const ENV = {
  [WORKFLOW_ENV.driverUrl]: DRIVER_URL,
  CURTAIN_PROJECT_A: PROJECT,
  CURTAIN_PROJECT_B: 'proj-b',
  GOOGLE_CLOUD_LOCATION: 'us-central1',
  GOOGLE_CLOUD_PROJECT_ID: PROJECT,
  GOOGLE_CLOUD_WORKFLOW_ID: WORKFLOW_ID,
};
const EXECUTIONS_URL = `https://workflowexecutions.googleapis.com/v1/projects/${PROJECT}/locations/us-central1/workflows/${WORKFLOW_ID}/executions`;

export interface WorkflowFaults extends DriverFaults {
  /** Fails the n-th update call (0-based). */
  update?: number;
  /** Fails the hand-over that would start the execution at this step. */
  handOverAt?: number;
  /** The run's start the recording driver answers start-run with (default RUN_STARTED_AT, the harness clock's start). */
  runStartedAt?: string;
}

export interface WorkflowExecution {
  args: Value;
  result: Value;
  /** Steps entered, in order, with the counter value at each describe-step call. */
  steps: number;
  describedAtStep: { index: number; steps: number }[];
}

export interface WorkflowRun {
  executions: WorkflowExecution[];
  /** What the workflow asked for, across executions, in order (for toTrace). */
  actions: RawAction[];
  events: DriverEvent[];
  /** Seconds slept. */
  slept: number;
}

export async function runWorkflowExecutions(plan: StudyPlan, yaml: string, orchestration: Orchestration | undefined, faults: WorkflowFaults = {}): Promise<WorkflowRun> {
  const driver = recordingDriver(plan, orchestration, faults, Object.fromEntries(plan.functions.map((f) => [f.key, `https://${f.name}.a.run.app`])), faults.runStartedAt);
  const env = Object.fromEntries(plan.functions.map((f) => [f.key, { ...f.env }]));
  const memory: Record<string, number> = Object.fromEntries(plan.functions.map((f) => [f.key, f.memoryMb]));
  const byName = new Map(plan.functions.map((f) => [f.name, f]));
  const actions: RawAction[] = [];
  const executions: WorkflowExecution[] = [];
  const queue: Value[] = [{ run: RUN }];
  let updates = 0;
  let clock = Date.parse('2026-11-26T12:00:00Z') / 1000;
  let slept = 0;

  while (queue.length > 0) {
    if (executions.length > 1000) throw new Error('more than 1000 executions');
    const args = queue.shift()!;
    const execution: WorkflowExecution = { args, result: null, steps: 0, describedAtStep: [] };
    executions.push(execution);
    execution.result = await runWorkflow(yaml, args, {
      env: ENV,
      now: () => clock,
      onStep: () => {
        execution.steps += 1;
      },
      async call(name, callArgs): Promise<Value> {
        if (name === 'http.post' && callArgs.url === EXECUTIONS_URL) {
          expect(callArgs.auth).toEqual({ type: 'OAuth2' });
          const argument = (callArgs.body as { argument: string }).argument;
          expect(typeof argument).toBe('string');
          const next = JSON.parse(argument) as Value;
          if (faults.handOverAt !== undefined && (next as { next: number }).next === faults.handOverAt) {
            throw new WorkflowRaise({ message: 'HTTP server responded with error code 429', code: 429, tags: ['HttpError'] });
          }
          queue.push(next);
          return { code: 200, body: { name: `projects/${PROJECT}/locations/us-central1/workflows/${WORKFLOW_ID}/executions/e${executions.length + queue.length}` } };
        }
        if (name === 'http.post') {
          expect(callArgs.url).toBe(DRIVER_URL);
          expect(callArgs.auth).toEqual({ type: 'OIDC' });
          expect(typeof callArgs.timeout).toBe('number');
          expect(callArgs.timeout as number).toBeLessThanOrEqual(WORKFLOW_LIMITS.httpTimeoutSeconds);
          const body = callArgs.body as Record<string, Value>;
          if (body.action === 'describe-step') execution.describedAtStep.push({ index: body.index as number, steps: execution.steps });
          actions.push({ kind: 'driver', event: body });
          // Let a moment pass so shards that did not share one stepStartedAt would show it.
          clock += 0.25;
          try {
            return { code: 200, body: driver.handle(JSON.parse(JSON.stringify(body))) as Value };
          } catch (error) {
            const code = error instanceof DriverRefusedError ? 400 : 500;
            throw new WorkflowRaise({ message: `HTTP server responded with error code ${code}`, code, tags: ['HttpError'], body: { error: (error as Error).message } });
          }
        }
        if (name === 'sys.sleep_until') {
          // The workflow sleeps until an anchor only while it is ahead.
          const until = Date.parse(String(callArgs.time)) / 1000;
          expect(until).toBeGreaterThan(clock);
          slept += until - clock;
          clock = until;
          actions.push({ kind: 'wait-until', until: String(callArgs.time) });
          return null;
        }
        if (name === 'sys.sleep') {
          const seconds = callArgs.seconds as number;
          expect(seconds).toBeGreaterThan(0);
          clock += seconds;
          slept += seconds;
          actions.push({ kind: 'wait', seconds });
          return null;
        }
        if (name === 'googleapis.cloudfunctions.v2.projects.locations.functions.patch') {
          // Reconstruct the change from the request alone, as Cloud Functions would apply it.
          const m = /^projects\/([^/]+)\/locations\/us-central1\/functions\/(.+)$/.exec(String(callArgs.name));
          expect(m).not.toBeNull();
          if (faults.update === updates++) throw new WorkflowRaise({ message: 'Permission denied', code: 403, tags: ['HttpError'] });
          const fn = byName.get(m![2]!)!;
          expect(fn).toBeDefined();
          expect(m![1]).toBe(fn.tenant === 'a' ? 'proj-a' : 'proj-b');
          const config = (callArgs.body as { serviceConfig: Record<string, Value> }).serviceConfig;
          const mask = String(callArgs.updateMask).split(',');
          expect(mask).toContain('serviceConfig.environmentVariables');
          const nextEnv = config.environmentVariables as Record<string, string>;
          // The whole environment is sent: nothing the function had may be lost.
          for (const key of Object.keys(env[fn.key]!)) expect(nextEnv).toHaveProperty(key);
          let change: Extract<RawAction, { kind: 'update' }>['change'] = { kind: 'refresh' };
          if (config.availableMemory !== undefined) {
            expect(mask).toEqual(expect.arrayContaining(['serviceConfig.availableMemory', 'serviceConfig.availableCpu']));
            expect(Number(config.availableCpu)).toBeGreaterThan(0);
            const mb = Number(/^(\d+)Mi$/.exec(String(config.availableMemory))![1]);
            expect(mb).not.toBe(memory[fn.key]);
            memory[fn.key] = mb;
            change = { kind: 'memory', memoryMb: mb };
          } else {
            expect(mask).toEqual(['serviceConfig.environmentVariables']);
            const changed = Object.keys(nextEnv).filter((k) => k !== 'CURTAIN_GENERATION' && nextEnv[k] !== env[fn.key]![k]);
            expect(changed.length).toBeLessThanOrEqual(1);
            if (changed.length === 1) change = { kind: 'env', name: changed[0]!, value: nextEnv[changed[0]!]! };
          }
          env[fn.key] = nextEnv;
          actions.push({ kind: 'update', function: fn.key, generation: nextEnv.CURTAIN_GENERATION!, change });
          return { name: callArgs.name };
        }
        throw new Error(`unexpected call ${name}`);
      },
    });
  }
  return { executions, actions, events: driver.events, slept };
}
