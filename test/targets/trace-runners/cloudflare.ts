/**
 * Runs the Cloudflare Workflows orchestrator (CurtainRun's body,
 * probe-runtime/driver/cloudflare-workflow/orchestrate-run.ts) with a fake
 * `step` that behaves like the Workflows engine from the orchestrator's point
 * of view: step.do runs its callback once per unique name (a repeated name is
 * an error: Workflows would return the cached result of the first), results
 * cross as JSON, step.sleep and step.sleepUntil advance the clock (a time in
 * the past is an error, as in workerd). Records what it asked for.
 */
import type { StudyPlan } from '../../../experiments/plan-schema';
import { orchestrateRun, type StepConfig, type WorkflowStepPort } from '../../../probe-runtime/driver/cloudflare-workflow/orchestrate-run';
import type { RunOutcome } from '../../../probe-runtime/driver/azure-durable/durable-contract';
import { type RawAction, RUN_STARTED_AT, startRunAnswer, TRACE_RUN } from '../orchestrator-trace';
import type { TraceRunner } from './trace-runner';

export interface WorkflowFaults {
  /** Throw from this step.do (as a failed step with no retries left does). */
  failStep?: (name: string) => boolean;
}

export async function driveWorkflow(plan: StudyPlan, faults: WorkflowFaults = {}, runStartedAt = RUN_STARTED_AT): Promise<{ outcome: RunOutcome; actions: RawAction[]; configs: Map<string, StepConfig> }> {
  const actions: RawAction[] = [];
  const names = new Set<string>();
  const configs = new Map<string, StepConfig>();
  // The engine's clock starts with the run (the driver's start-run answers RUN_STARTED_AT).
  let now = Date.parse(RUN_STARTED_AT);
  const unique = (name: string) => {
    if (names.has(name)) throw new Error(`step name ${name} used twice`);
    names.add(name);
  };
  const step: WorkflowStepPort = {
    async do(name, config, callback) {
      unique(name);
      configs.set(name, config);
      if (faults.failStep?.(name)) throw new Error(`step ${name} failed`);
      const result = await callback();
      now += 250;
      return result === undefined ? (undefined as never) : JSON.parse(JSON.stringify(result));
    },
    async sleep(name, durationMs) {
      unique(name);
      actions.push({ kind: 'wait', seconds: durationMs / 1000 });
      now += durationMs;
    },
    // As workerd's engine: a time in the past is an error.
    async sleepUntil(name, timestamp) {
      unique(name);
      if (timestamp.valueOf() < now) throw new Error("You can't sleep until a time in the past");
      actions.push({ kind: 'wait-until', until: timestamp.toISOString() });
      now = timestamp.valueOf();
    },
  };
  const outcome = await orchestrateRun(step, plan, TRACE_RUN, {
    driver: async (event) => {
      actions.push({ kind: 'driver', event: JSON.parse(JSON.stringify(event)) });
      return event.action === 'start-run' ? startRunAnswer(plan, event.run, runStartedAt) : { ok: true, at: now };
    },
    now: () => now,
    update: async (request) => {
      expect(request.study).toBe(plan.study.id);
      actions.push({ kind: 'update', function: request.function, generation: request.generation, change: request.change });
      return { ok: true };
    },
  });
  return { outcome, actions, configs };
}

export const workflowTraceRunner: TraceRunner = {
  // The Workflow walks the plan the driver Worker carries (CompiledOrchestrator format `plan`).
  run: async (_plan, compiled) => (await driveWorkflow(compiled.definition as StudyPlan)).actions,
};
