/**
 * The driver as an orchestrator under test meets it, without probes or a
 * bucket: every event goes through the deployed driver's own checks
 * (parseDriverEvent, checkEventAgainstPlan: the plan hash, a burst step
 * deep-equal to the plan's, shards in range, indices in range) and
 * `describe-step` is answered by the driver's own describeStep over the same
 * plan and deployment.json, refusing steps of a run that is not open, as the
 * deployed driver does. What it accepted is recorded in order, so a test can
 * check that the driver saw exactly the plan's steps, once each, across
 * executions.
 */
import type { StudyPlan } from '../../experiments/plan-schema';
import type { Deployment } from '../../probe-runtime/contracts/deployment';
import type { DriverEvent } from '../../probe-runtime/contracts/driver-event';
import type { Orchestration } from '../../probe-runtime/contracts/step-directive';
import { checkEventAgainstPlan, parseDriverEvent } from '../../probe-runtime/driver/check-event';
import { describeStep, resetCount } from '../../probe-runtime/driver/describe-step';
import { DriverRefusedError } from '../../probe-runtime/driver/errors';
import { RUN_STARTED_AT, startRunAnswer } from './orchestrator-trace';

export interface RecordingDriver {
  readonly deployment: Deployment;
  /** Every event the driver accepted, in the order it got them. */
  readonly events: DriverEvent[];
  /** Answers an event as the driver would (throws DriverRefusedError for what it refuses); `fail` may make it throw instead. */
  handle(input: unknown): unknown;
}

export interface DriverFaults {
  /** Throw from the driver for this event after accepting it (a driver that died or a bucket that refused). */
  fail?: (event: DriverEvent) => Error | undefined;
}

/** Lambda-like addresses for every plan function, so update directives carry a target. */
export function fakeTargets(plan: StudyPlan): Record<string, string> {
  return Object.fromEntries(plan.functions.map((f) => [f.key, `fn-${f.key}`]));
}

/** Runs it starts begin at `startedAtOfRuns` (run.json startedAt: what anchored waits count from). */
export function recordingDriver(
  plan: StudyPlan,
  orchestration: Orchestration | undefined,
  faults: DriverFaults = {},
  targets = fakeTargets(plan),
  startedAtOfRuns = RUN_STARTED_AT,
): RecordingDriver {
  const deployment: Deployment = { v: 1, provider: plan.provider, region: plan.region, planHash: plan.hash, targets, ...(orchestration ? { orchestration } : {}) };
  const events: DriverEvent[] = [];
  /** Each run's state and start (what start-run writes into run.json; a repeated start-run keeps it). */
  const runs = new Map<string, { status: 'running' | 'ended'; startedAt: string }>();
  return {
    deployment,
    events,
    handle(input) {
      const event = parseDriverEvent(input);
      checkEventAgainstPlan(event, plan);
      if (event.action === 'describe-step' && runs.get(event.run)?.status !== 'running') throw new DriverRefusedError(`run: ${event.run} is not open`);
      events.push(event);
      const fault = faults.fail?.(event);
      if (fault) throw fault;
      switch (event.action) {
        case 'start-run': {
          const startedAt = runs.get(event.run)?.startedAt ?? startedAtOfRuns;
          runs.set(event.run, { status: 'running', startedAt });
          return startRunAnswer(plan, event.run, startedAt);
        }
        case 'describe-step':
          return describeStep(event, plan, deployment, runs.get(event.run)!.startedAt);
        case 'burst':
          return { v: 1, action: 'burst', study: event.study, run: event.run, step: event.step.index, shard: event.shard };
        case 'finish-run':
          runs.set(event.run, { status: 'ended', startedAt: runs.get(event.run)?.startedAt ?? startedAtOfRuns });
          return { v: 1, action: 'finish-run', study: event.study, run: event.run, status: event.status };
      }
    },
  };
}

/**
 * What the driver saw, step by step: each described index once, in order
 * (from the first reset when the orchestrator resets), and each burst step's
 * shards once each. Throws, naming the first difference.
 */
export function expectEachStepOnce(plan: StudyPlan, events: readonly DriverEvent[], options: { resets: boolean }): void {
  const first = options.resets ? -resetCount(plan) : 0;
  const described = events.flatMap((e) => (e.action === 'describe-step' ? [e.index] : []));
  const expected = Array.from({ length: plan.steps.length - first }, (_, i) => first + i);
  if (JSON.stringify(described) !== JSON.stringify(expected)) {
    throw new Error(`described indices ${summarize(described)}, expected ${summarize(expected)}`);
  }
  // A burst's shards are sent after its step was described and before the next one is.
  let current: number | null = null;
  for (const e of events) {
    if (e.action === 'describe-step') current = e.index;
    if (e.action === 'burst' && e.step.index !== current) throw new Error(`a shard of step ${e.step.index} was sent while step ${current} was described`);
  }
  for (const step of plan.steps) {
    if (step.kind !== 'burst') continue;
    const shards = events.flatMap((e) => (e.action === 'burst' && e.step.index === step.index ? [e.shard] : [])).sort((a, b) => a - b);
    if (JSON.stringify(shards) !== JSON.stringify(Array.from({ length: step.shards }, (_, s) => s))) {
      throw new Error(`step ${step.id}: shards sent ${JSON.stringify(shards)}, expected each of 0..${step.shards - 1} once`);
    }
  }
  const starts = events.filter((e) => e.action === 'start-run').length;
  const finishes = events.filter((e) => e.action === 'finish-run').length;
  if (starts !== 1 || finishes !== 1) throw new Error(`start-run ×${starts}, finish-run ×${finishes}; expected one each`);
}

function summarize(xs: number[]): string {
  if (xs.length <= 12) return JSON.stringify(xs);
  return `[${xs.slice(0, 6).join(',')} … ${xs.slice(-6).join(',')}] (${xs.length})`;
}
