/**
 * The Cloudflare Workflows orchestrator of a Curtain run, as a plain async
 * function over a narrow port of Workflows' `step` (`step.do`, `step.sleep`),
 * so the trace test drives it with a fake step and workerd drives it with the
 * real one (the `CurtainRun` WorkflowEntrypoint in driver/adapters/cloudflare.ts).
 *
 * It walks the plan's steps in order:
 *   start-run  → step.do `start-run` (the driver core, in the same Worker)
 *   burst      → step.do `step-<i>-started` (the shared stepStartedAt, recorded
 *                once so a replay reuses it), then one step.do per shard, all at once
 *   wait       → step.sleep (an idle Workflow bills nothing); a wait anchored to
 *                the run's start → step.sleepUntil the instant start-run gave for
 *                it (`waitUntil`), only while it is ahead: Workflows refuses a
 *                time in the past (workerd's engine throws), and a passed anchor
 *                ends the wait at once
 *   update     → step.do `step-<i>-update` (a new version of the probe Worker)
 *   finish-run → step.do `finish-run`, always, `failed` when anything failed
 *
 * Step names are unique and derived from the plan, as Workflows requires for
 * replay. Nothing is retried by the engine (retries.limit 0): a retried shard
 * would send more requests than the budget was checked against; the driver
 * retries per request as the plan says. A step that throws is recorded as a
 * failure with its step and shard, and the run still closes.
 */
import type { BurstStep, StudyPlan } from '../../../experiments/plan-schema';
import { anchorKey, isAnchoredWait } from '../../contracts/anchored-waits';
import { DRIVER_EVENT_VERSION, type DriverEvent } from '../../contracts/driver-event';
import type { RunFailure, RunOutcome, UpdateRequest } from '../azure-durable/durable-contract';

/** Workflows' step configuration (the subset used): no engine retries, a timeout per step. */
export interface StepConfig {
  readonly retries: { readonly limit: number; readonly delay: number };
  readonly timeout: string;
}

/** The part of Workflows' `WorkflowStep` the orchestrator uses. */
export interface WorkflowStepPort {
  do<T>(name: string, config: StepConfig, callback: () => Promise<T>): Promise<T>;
  /** Duration in milliseconds (Workflows also takes "5 minutes" strings). */
  sleep(name: string, durationMs: number): Promise<void>;
  /** Until an instant, which must not have passed. */
  sleepUntil(name: string, timestamp: Date): Promise<void>;
}

/** What the steps do: run a driver event in this Worker, apply an update through the Cloudflare API. */
export interface RunCalls {
  driver(event: DriverEvent): Promise<unknown>;
  update(request: UpdateRequest): Promise<unknown>;
  /** The Workflow's clock, epoch ms (default Date.now): whether an anchor is still ahead. */
  now?(): number;
}

const NO_RETRY = (timeoutMs: number): StepConfig => ({ retries: { limit: 0, delay: 0 }, timeout: `${Math.ceil(timeoutMs / 1000)} seconds` });
/** start-run, finish-run, updates and the start stamp: short calls. */
const SHORT = NO_RETRY(5 * 60_000);

export async function orchestrateRun(step: WorkflowStepPort, plan: StudyPlan, run: string, calls: RunCalls): Promise<RunOutcome> {
  const common = { v: DRIVER_EVENT_VERSION, study: plan.study.id, run, planHash: plan.hash } as const;
  const failures: RunFailure[] = [];
  let stepsCompleted = 0;

  let startAnswer: unknown = null;
  const started = await attempt(
    async () => {
      startAnswer = await step.do('start-run', SHORT, () => calls.driver({ ...common, action: 'start-run' }));
    },
    -1,
    null,
    failures,
  );
  // Each anchored wait's end, as the driver computed it from run.json's startedAt (replays reuse the cached answer).
  const waitUntil = (startAnswer as { waitUntil?: Record<string, string> } | null)?.waitUntil ?? {};
  const now = calls.now ?? Date.now;
  if (started) {
    for (const planStep of plan.steps) {
      const before = failures.length;
      if (planStep.kind === 'burst') await runBurst(step, common, planStep, calls, failures);
      else if (isAnchoredWait(planStep)) {
        const until = Date.parse(waitUntil[anchorKey(planStep.index)] ?? '');
        if (Number.isNaN(until)) failures.push({ step: planStep.index, shard: null, message: 'start-run gave no end for this wait anchored to the run\'s start' });
        else if (until > now()) await step.sleepUntil(`step-${planStep.index}-wait`, new Date(until));
      } else if (planStep.kind === 'wait') await step.sleep(`step-${planStep.index}-wait`, planStep.seconds * 1000);
      else {
        const request: UpdateRequest = { study: plan.study.id, step: planStep.index, function: planStep.function, change: planStep.change, generation: planStep.generation };
        await attempt(() => step.do(`step-${planStep.index}-update`, SHORT, () => calls.update(request)), planStep.index, null, failures);
      }
      if (failures.length === before) stepsCompleted += 1;
    }
  }

  const status = failures.length > 0 ? 'failed' : 'completed';
  // finish-run is the one step whose failure fails the instance: the run cannot be closed.
  await step.do('finish-run', SHORT, () => calls.driver({ ...common, action: 'finish-run', status, stepsCompleted, failures }));
  return { run, status, stepsCompleted, failures };
}

async function runBurst(
  step: WorkflowStepPort,
  common: { v: typeof DRIVER_EVENT_VERSION; study: string; run: string; planHash: string },
  burst: BurstStep,
  calls: RunCalls,
  failures: RunFailure[],
): Promise<void> {
  // Recorded by a step so that a replay after a restart reuses the same barrier time.
  const stepStartedAt = await step.do(`step-${burst.index}-started`, SHORT, async () => new Date().toISOString());
  // A shard may take every attempt's timeout plus the shard write.
  const config = NO_RETRY(burst.timeoutMs * (burst.retries + 1) + 60_000);
  await Promise.all(
    Array.from({ length: burst.shards }, (_, shard) =>
      attempt(() => step.do(`step-${burst.index}-shard-${shard}`, config, () => calls.driver({ ...common, action: 'burst', step: burst, shard, stepStartedAt })), burst.index, shard, failures),
    ),
  );
}

async function attempt(call: () => Promise<unknown>, stepIndex: number, shard: number | null, failures: RunFailure[]): Promise<boolean> {
  try {
    await call();
    return true;
  } catch (error) {
    failures.push({ step: stepIndex, shard, message: error instanceof Error ? error.message : String(error) });
    return false;
  }
}
