/**
 * Validation of a DriverEvent against the deployed plan.
 *
 * This is where the plan's invocation cap is enforced in the cloud. The driver
 * sends only what its own plan.json contains: an event for another study or
 * plan hash, a burst step that is not deep-equal to the plan's step of that
 * index, or a shard outside the step's shards is refused before anything is
 * sent. Within a shard the driver makes at most `requests × (1 + retries)`
 * attempts, with `retries` taken from the plan's step. So whatever an
 * orchestrator (or anyone able to invoke the driver) asks, a run's attempts are
 * bounded by the plan's `maxAttempts` (which the budget was checked against),
 * times the orchestrator's own retry count for a shard that died.
 */
import { canonicalJson } from '../../experiments/canonical-json';
import { shardRequestRange } from '../../experiments/expand-schedule';
import type { BurstStep, StudyPlan } from '../../experiments/plan-schema';
import { type BurstShardEvent, type DescribeStepEvent, DriverEvent } from '../contracts/driver-event';
import { RUN_ID_PATTERN } from '../contracts/bucket-layout';
import type { Deployment } from '../contracts/deployment';
import { resetCount } from './describe-step';
import { DriverConfigError, DriverRefusedError, zodIssuesText } from './errors';

export function parseDriverEvent(input: unknown): DriverEvent {
  const result = DriverEvent.safeParse(input);
  if (!result.success) throw new DriverRefusedError(`invalid driver event: ${zodIssuesText(result.error)}`);
  return result.data;
}

/** Refuses an event that does not belong to the deployed plan (see the module comment). */
export function checkEventAgainstPlan(event: DriverEvent, plan: StudyPlan): void {
  if (event.study !== plan.study.id) {
    throw new DriverRefusedError(`study: this driver serves study "${plan.study.id}", the event is for "${event.study}"`);
  }
  if (event.planHash !== plan.hash) {
    throw new DriverRefusedError(`planHash: the event is for plan ${event.planHash}, this driver carries plan ${plan.hash}`);
  }
  if (plan.budget.verdict === 'over') {
    throw new DriverRefusedError(`the deployed plan is over its budget (${plan.budget.reasons.join('; ')}); it must not run`);
  }
  // Run ids become object keys and file names: one path segment, no traversal.
  if (!RUN_ID_PATTERN.test(event.run)) {
    throw new DriverRefusedError(`run: "${event.run}" is not a valid run id (letters, digits, ".", "_" and "-", starting with a letter or digit)`);
  }
  if (event.action === 'burst') checkBurstStep(event, plan);
  if (event.action === 'describe-step') checkDescribedIndex(event, plan);
  if (event.action === 'finish-run') {
    if (event.stepsCompleted > plan.steps.length) {
      throw new DriverRefusedError(`stepsCompleted: ${event.stepsCompleted} exceeds the plan's ${plan.steps.length} steps`);
    }
    // Step -1 is the run as a whole, or what comes before the first step (start-run, finish-run, a reset).
    event.failures.forEach((f, i) => {
      if (f.step < -1 || f.step >= plan.steps.length) throw new DriverRefusedError(`failures[${i}].step: the plan has no step ${f.step}`);
    });
    event.shardSends?.forEach((s, i) => {
      const step = plan.steps[s.step];
      if (step?.kind !== 'burst' || s.shard >= step.shards) throw new DriverRefusedError(`shardSends[${i}]: the plan has no shard ${s.shard} of burst step ${s.step}`);
    });
  }
}

function checkBurstStep(event: BurstShardEvent, plan: StudyPlan): BurstStep {
  const index = event.step.index;
  const planned = plan.steps[index];
  if (!planned) throw new DriverRefusedError(`step.index: the plan has no step ${index} (it has ${plan.steps.length})`);
  if (planned.kind !== 'burst') throw new DriverRefusedError(`step.index: step ${index} of the plan is a ${planned.kind} step, not a burst`);
  const difference = firstDifference(planned, event.step, 'step');
  if (difference !== null) {
    throw new DriverRefusedError(`${difference}: differs from step ${index} of the plan; the driver only sends the steps of its plan`);
  }
  if (event.shard >= planned.shards) {
    throw new DriverRefusedError(`shard: step ${index} has ${planned.shards} shard(s) (0..${planned.shards - 1}); shard ${event.shard} is out of range`);
  }
  if (event.only) {
    const { start, end } = shardRequestRange(planned, event.shard);
    const seen = new Set<number>();
    event.only.forEach(({ request }, i) => {
      if (request < start || request >= end) throw new DriverRefusedError(`only[${i}].request: ${request} is not a request of shard ${event.shard} (${start}..${end - 1})`);
      if (seen.has(request)) throw new DriverRefusedError(`only[${i}].request: ${request} is listed twice`);
      seen.add(request);
    });
  }
  return planned;
}

/** A describe-step event asks for a step of the plan, or one of the resets before it (negative indices). */
function checkDescribedIndex(event: DescribeStepEvent, plan: StudyPlan): void {
  const first = -resetCount(plan);
  if (event.index < first || event.index >= plan.steps.length) {
    throw new DriverRefusedError(`index: the plan has steps ${first}..${plan.steps.length - 1} (negative: the resets before step 0), not ${event.index}`);
  }
}

/** Every plan function a burst addresses must have a target in the deployment. */
export function checkTargets(plan: StudyPlan, deployment: Deployment): void {
  const missing = plan.functions.map((f) => f.key).filter((key) => !deployment.targets[key]);
  if (missing.length > 0) throw new DriverConfigError(`deployment.targets: no target for plan function(s) ${missing.join(', ')}`);
}

/** The dotted path (under `path`) of the first difference between two JSON values, null when equal. */
export function firstDifference(a: unknown, b: unknown, path = ''): string | null {
  if (canonicalJson(a) === canonicalJson(b)) return null;
  if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const key of keys) {
      const sub = Array.isArray(a) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
      const found = firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], sub);
      if (found !== null) return found;
    }
  }
  return path;
}
