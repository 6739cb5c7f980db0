/**
 * Flattens a definition's schedule (bursts, waits, updates, nested repeats)
 * into the plan's fully expanded list of steps, resolving target selectors to
 * function keys and splitting large bursts into driver shards.
 *
 * It keeps a planned clock (seconds since the run's start, from each step's
 * expected duration, planned-duration.ts) to anchor waits to the run's start:
 * `wait.untilSeconds` as written, a repeat with `every` on a grid from the
 * repeat's planned start, and the chunks an open-loop arrival is cut into
 * (arrivals/compile-arrivals.ts). An anchored wait ends at its anchor whatever
 * the steps before it took, so a periodic schedule does not drift.
 */
import { taskDurationUpperBoundMs } from '../probe-runtime/contracts/task';
import { compileArrival } from './arrivals/compile-arrivals';
import { type HostingCapabilities, memorySupported } from './capabilities';
import { formatPath } from './errors';
import { PAYLOAD_ENVELOPE_BYTES } from './payload';
import { plannedStepSeconds } from './planned-duration';
import { selectFunctions } from './plan-functions';
import { generationAfterStep } from './plan-queries';
import type { BurstStep, PlanFunction, PlanStep } from './plan-schema';
import type { BurstItem, ProviderId, ScheduleItem, StudyDefinition } from './schema';

/**
 * Beyond this a plan is unwieldy for its driver: plan.json (about 280 bytes a
 * step, pretty-printed) is parsed and its hash checked by every driver instance
 * at start, about 4 s for 100,000 steps on the development machine. The
 * orchestrators no longer bound a plan's length: they walk it and split long
 * runs into executions (targets/segmentation.ts).
 */
export const MAX_PLAN_STEPS = 100_000;

/**
 * Most requests one open-loop step may carry: its send offsets travel inside the orchestrator's
 * step input (Step Functions allows 256 KB per state input; 5,000 offsets are about 40 KB).
 */
export const MAX_OPEN_LOOP_REQUESTS_PER_STEP = 5_000;

/** Network and scheduling slack the driver allows on top of the function's own timeout. */
export const DRIVER_TIMEOUT_SLACK_MS = 5_000;

export interface ScheduleExpansion {
  steps: PlanStep[];
  refusals: string[];
  /** Things the plan does on purpose that may not go as planned (iterations longer than their period). */
  warnings: string[];
}

export interface ExpandOptions {
  provider: ProviderId;
  definition: StudyDefinition;
  functions: PlanFunction[];
  hosting: HostingCapabilities;
  configUpdates: boolean;
  driverMaxRequestsPerShard: number;
}

export function expandSchedule(options: ExpandOptions): ScheduleExpansion {
  const steps: PlanStep[] = [];
  const refusals = new Set<string>();
  const warnings = new Set<string>();
  const { definition, functions } = options;
  /** Planned seconds since the run's start, after the steps pushed so far. */
  let clock = 0;
  const push = (step: PlanStep): void => {
    steps.push(step);
    clock += plannedStepSeconds(options.provider, step);
  };
  const pushAnchoredWait = (untilSeconds: number): void => {
    const index = steps.length;
    const seconds = Math.max(0, Math.round((untilSeconds - clock) * 1000) / 1000);
    steps.push({ index, id: stepId(index, 'wait'), kind: 'wait', seconds, untilSeconds });
    clock = Math.max(clock, untilSeconds);
  };
  const full = () => steps.length > MAX_PLAN_STEPS;

  const walk = (items: ScheduleItem[], path: (string | number)[]): void => {
    items.forEach((item, i) => {
      const here = [...path, i];
      if (full()) return;
      switch (item.kind) {
        case 'repeat': {
          if (item.every === undefined) {
            for (let r = 0; r < item.times && !full(); r++) walk(item.steps, [...here, 'steps']);
            return;
          }
          // Iteration r starts at t0 + r * every on the run's clock; the repeat lasts times * every.
          const t0 = Math.ceil(clock);
          for (let r = 0; r < item.times && !full(); r++) {
            if (r > 0) pushAnchoredWait(t0 + r * item.every);
            const before = clock;
            walk(item.steps, [...here, 'steps']);
            if (clock - before > item.every) {
              warnings.add(`${formatPath(here)}: an iteration is planned to take ${Math.round(clock - before)} s, longer than every ${item.every} s, so iterations will start late`);
            }
          }
          if (!full()) pushAnchoredWait(t0 + item.times * item.every);
          return;
        }
        case 'wait':
          if (item.untilSeconds !== undefined) pushAnchoredWait(item.untilSeconds);
          else push({ index: steps.length, id: stepId(steps.length, 'wait'), kind: 'wait', seconds: item.seconds! });
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
            push({ index, id: stepId(index, 'update'), kind: 'update', function: f.key, change: item.change, generation: generationAfterStep(index) });
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
          const timeoutSeconds = Math.min(...targets.map((f) => f.timeoutSeconds));
          const busyMs = item.barrierMs + taskDurationUpperBoundMs(task);
          if (busyMs > timeoutSeconds * 1000) {
            refusals.add(
              `${where}: the ${task.name} task may run ${taskDurationUpperBoundMs(task)} ms after a ${item.barrierMs} ms barrier, longer than the functions' ${timeoutSeconds} s timeout`,
            );
          }
          for (const problem of payloadProblems(item, options.hosting)) refusals.add(`${where}.${problem}`);
          const burst = (requests: number, sendOffsetsMs?: number[]): BurstStep => {
            const concurrency = item.concurrency === 'all' ? requests : Math.min(item.concurrency, requests);
            // Balance shards, then recount them so that no shard is empty.
            const requestsPerShard = Math.ceil(requests / Math.ceil(requests / options.driverMaxRequestsPerShard));
            const shards = Math.ceil(requests / requestsPerShard);
            const index = steps.length;
            return {
              index,
              id: stepId(index, 'burst', item.label),
              kind: 'burst',
              label: item.label ?? null,
              targets: targets.map((f) => f.key),
              requestsPerTarget: Math.ceil(requests / targets.length),
              requests,
              concurrency,
              barrierMs: item.barrierMs,
              task,
              freshConnection: item.freshConnection,
              retries: item.retries,
              // The longest timeout of the targets: no attempt is cut before its function's own timeout.
              timeoutMs: Math.max(...targets.map((f) => f.timeoutSeconds)) * 1000 + DRIVER_TIMEOUT_SLACK_MS,
              shards,
              requestsPerShard,
              shardConcurrency: Math.ceil(concurrency / shards),
              // Optional fields only when used, so plans without them keep their hashes.
              ...(item.concurrencyPerTarget !== undefined ? { shardTargetConcurrency: Math.max(1, Math.floor(item.concurrencyPerTarget / shards)) } : {}),
              ...(item.requestBytes ? { requestBytes: item.requestBytes } : {}),
              ...(item.responseBytes ? { responseBytes: item.responseBytes } : {}),
              ...(sendOffsetsMs ? { sendOffsetsMs } : {}),
            };
          };
          if (!item.arrival) {
            const requests = targets.length * item.requestsPerTarget;
            if (task.name === 'covert-channel') {
              // Frames are sent by requests 0..frames-1 at once, aligned by the barrier.
              const concurrency = item.concurrency === 'all' ? requests : Math.min(item.concurrency, requests);
              if (item.barrierMs === 0) refusals.add(`${where}.barrierMs: the covert-channel task needs a barrier to align its frames`);
              if (task.frames > requests) refusals.add(`${where}.task.frames: ${task.frames} frames need as many requests; the burst sends ${requests}`);
              if (concurrency < requests) refusals.add(`${where}.concurrency: the covert-channel task needs every request of the burst in flight at once`);
            }
            push(burst(requests));
            return;
          }
          if (item.barrierMs > 0) refusals.add(`${where}.barrierMs: a barrier does not apply to open-loop arrivals (each request has its own send time)`);
          if (task.name === 'covert-channel') refusals.add(`${where}.task: the covert-channel task needs a closed burst aligned by a barrier, not open-loop arrivals`);
          if (item.requestsPerTarget !== 1) refusals.add(`${where}.requestsPerTarget: not used with arrival (the arrival process sets the requests)`);
          if (item.arrival.kind === 'trace' && item.arrival.perMinute === undefined) {
            refusals.add(`${where}.arrival.file: the trace file has not been read; load the definition from its file (curtain validate|plan|run <file>) or give perMinute`);
            return;
          }
          const compiled = compileArrival(item.arrival);
          if (compiled.requests === 0) {
            refusals.add(`${where}.arrival: the arrival process sends no request`);
            return;
          }
          const busiest = Math.max(...compiled.chunks.map((c) => c.offsetsMs.length));
          if (busiest > MAX_OPEN_LOOP_REQUESTS_PER_STEP) {
            refusals.add(
              `${where}.arrival: ${busiest} requests in one step of ${item.arrival.stepSeconds} s, more than the ${MAX_OPEN_LOOP_REQUESTS_PER_STEP} one step may carry; lower stepSeconds`,
            );
            return;
          }
          // The first chunk starts when reached; chunk k at t0 + its start on the run's clock (t0: the planned
          // start in whole seconds); then the item lasts the process's duration.
          const t0 = Math.ceil(clock);
          for (const chunk of compiled.chunks) {
            if (full()) return;
            if (chunk.offsetsMs.length === 0) continue;
            if (chunk.startSeconds > 0) pushAnchoredWait(t0 + chunk.startSeconds);
            push(burst(chunk.offsetsMs.length, chunk.offsetsMs));
          }
          pushAnchoredWait(t0 + compiled.durationSeconds);
          return;
        }
      }
    });
  };

  walk(definition.schedule, ['schedule']);
  if (full()) {
    refusals.add(`schedule: expands to more than ${MAX_PLAN_STEPS} steps; split the study or lower its repeats`);
  }
  return { steps, refusals: [...refusals], warnings: [...warnings] };
}

/** Payload paddings larger than the provider takes (with room for the JSON around them). */
function payloadProblems(item: BurstItem, hosting: HostingCapabilities): string[] {
  const problems: string[] = [];
  const limits = hosting.maxPayloadBytes;
  if (item.requestBytes !== undefined && item.requestBytes + PAYLOAD_ENVELOPE_BYTES > limits.request) {
    problems.push(`requestBytes: ${item.requestBytes} bytes plus the request's own ${PAYLOAD_ENVELOPE_BYTES / 1024} KiB exceed the ${limits.request}-byte request limit of this provider`);
  }
  if (item.responseBytes !== undefined && item.responseBytes + PAYLOAD_ENVELOPE_BYTES > limits.response) {
    problems.push(`responseBytes: ${item.responseBytes} bytes plus the response's own ${PAYLOAD_ENVELOPE_BYTES / 1024} KiB exceed the ${limits.response}-byte response limit of this provider`);
  }
  return problems;
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
