/**
 * Flattens a definition's schedule (bursts, waits, updates, nested repeats)
 * into the plan's fully expanded list of steps, resolving target selectors to
 * function keys and splitting large bursts into driver shards.
 */
import { taskDurationUpperBoundMs } from '../probe-runtime/contracts/task';
import { type HostingCapabilities, memorySupported } from './capabilities';
import { formatPath } from './errors';
import { selectFunctions } from './plan-functions';
import { generationAfterStep } from './plan-queries';
import type { PlanFunction, PlanStep } from './plan-schema';
import type { ScheduleItem, StudyDefinition } from './schema';

/**
 * Beyond this a plan is unwieldy for its driver: plan.json (about 280 bytes a
 * step, pretty-printed) is parsed and its hash checked by every driver instance
 * at start, about 4 s for 100,000 steps on the development machine. The
 * orchestrators no longer bound a plan's length: they walk it and split long
 * runs into executions (targets/segmentation.ts).
 */
export const MAX_PLAN_STEPS = 100_000;

/** Network and scheduling slack the driver allows on top of the function's own timeout. */
export const DRIVER_TIMEOUT_SLACK_MS = 5_000;

export interface ScheduleExpansion {
  steps: PlanStep[];
  refusals: string[];
}

export interface ExpandOptions {
  definition: StudyDefinition;
  functions: PlanFunction[];
  hosting: HostingCapabilities;
  configUpdates: boolean;
  driverMaxRequestsPerShard: number;
}

export function expandSchedule(options: ExpandOptions): ScheduleExpansion {
  const steps: PlanStep[] = [];
  const refusals = new Set<string>();
  const { definition, functions } = options;

  const walk = (items: ScheduleItem[], path: (string | number)[]): void => {
    items.forEach((item, i) => {
      const here = [...path, i];
      if (steps.length > MAX_PLAN_STEPS) return;
      switch (item.kind) {
        case 'repeat':
          for (let r = 0; r < item.times && steps.length <= MAX_PLAN_STEPS; r++) walk(item.steps, [...here, 'steps']);
          return;
        case 'wait':
          steps.push({ index: steps.length, id: stepId(steps.length, 'wait'), kind: 'wait', seconds: item.seconds });
          return;
        case 'update': {
          const where = formatPath(here);
          if (!options.configUpdates) {
            refusals.add(`${where}: configuration updates are not supported on this provider`);
            return;
          }
          if (item.change.kind === 'memory' && !memorySupported(options.hosting.memory, item.change.memoryMb)) {
            refusals.add(`${where}.change.memoryMb: ${item.change.memoryMb} MB is not configurable on this provider`);
            return;
          }
          const targets = selectFunctions(functions, item.targets);
          if (targets.length === 0) refusals.add(`${where}.targets: selects no function of this study`);
          for (const f of targets) {
            const index = steps.length;
            steps.push({ index, id: stepId(index, 'update'), kind: 'update', function: f.key, change: item.change, generation: generationAfterStep(index) });
          }
          return;
        }
        case 'burst': {
          const where = formatPath(here);
          const targets = selectFunctions(functions, item.targets);
          if (targets.length === 0) {
            refusals.add(`${where}.targets: selects no function of this study`);
            return;
          }
          const task = item.task ?? definition.probe.task;
          const timeoutSeconds = Math.max(...targets.map((f) => f.timeoutSeconds));
          const busyMs = item.barrierMs + taskDurationUpperBoundMs(task);
          if (busyMs > timeoutSeconds * 1000) {
            refusals.add(
              `${where}: the ${task.name} task may run ${taskDurationUpperBoundMs(task)} ms after a ${item.barrierMs} ms barrier, longer than the functions' ${timeoutSeconds} s timeout`,
            );
          }
          const requests = targets.length * item.requestsPerTarget;
          const concurrency = item.concurrency === 'all' ? requests : Math.min(item.concurrency, requests);
          if (task.name === 'covert-channel') {
            // Frames are sent by requests 0..frames-1 at once, aligned by the barrier.
            if (item.barrierMs === 0) refusals.add(`${where}.barrierMs: the covert-channel task needs a barrier to align its frames`);
            if (task.frames > requests) refusals.add(`${where}.task.frames: ${task.frames} frames need as many requests; the burst sends ${requests}`);
            if (concurrency < requests) refusals.add(`${where}.concurrency: the covert-channel task needs every request of the burst in flight at once`);
          }
          // Balance shards, then recount them so that no shard is empty.
          const requestsPerShard = Math.ceil(requests / Math.ceil(requests / options.driverMaxRequestsPerShard));
          const shards = Math.ceil(requests / requestsPerShard);
          const index = steps.length;
          steps.push({
            index,
            id: stepId(index, 'burst', item.label),
            kind: 'burst',
            label: item.label ?? null,
            targets: targets.map((f) => f.key),
            requestsPerTarget: item.requestsPerTarget,
            requests,
            concurrency,
            barrierMs: item.barrierMs,
            task,
            freshConnection: item.freshConnection,
            retries: item.retries,
            timeoutMs: timeoutSeconds * 1000 + DRIVER_TIMEOUT_SLACK_MS,
            shards,
            requestsPerShard,
            shardConcurrency: Math.ceil(concurrency / shards),
          });
          return;
        }
      }
    });
  };

  walk(definition.schedule, ['schedule']);
  if (steps.length > MAX_PLAN_STEPS) {
    refusals.add(`schedule: expands to more than ${MAX_PLAN_STEPS} steps; split the study or lower its repeats`);
  }
  return { steps, refusals: [...refusals] };
}

export function stepId(index: number, kind: string, label?: string): string {
  return `${String(index).padStart(4, '0')}-${kind}${label ? `-${label}` : ''}`;
}

/** The request indices one shard of a burst sends. */
export function shardRequestRange(step: { requests: number; requestsPerShard: number }, shard: number): { start: number; end: number } {
  const start = shard * step.requestsPerShard;
  return { start, end: Math.min(step.requests, start + step.requestsPerShard) };
}

/** The function a request of a burst is addressed to. */
export function requestTarget(step: { targets: string[] }, request: number): string {
  return step.targets[request % step.targets.length]!;
}
