/**
 * The provider-neutral driver: one function per orchestrator call. Adapters
 * (adapters/aws.ts, gcp.ts, local.ts, and the Azure Function App) only load the
 * plan and deployment, pick an invoker and a sink, and call runDriverEvent.
 */
import { shardRequestRange } from '../../experiments/expand-schedule';
import type { StudyPlan } from '../../experiments/plan-schema';
import { planKey, runManifestKey, shardKey } from '../contracts/bucket-layout';
import type { Deployment } from '../contracts/deployment';
import { type BurstShardEvent, BurstShardSummary, type DescribeStepEvent, DRIVER_EVENT_VERSION, type DriverEvent } from '../contracts/driver-event';
import type { StepDirective } from '../contracts/step-directive';
import { InvocationRecord as InvocationRecordSchema, type InvocationRecord } from '../contracts/invocation-record';
import type { RunStatus } from '../contracts/run-manifest';
import { sendBurstShard } from './burst/send-shard';
import { defaultRetryDelay, type RetryDelay } from './burst/retry-delay';
import { checkEventAgainstPlan, checkTargets, parseDriverEvent } from './check-event';
import { describeStep } from './describe-step';
import { type EpochClock, isoFromEpochMs, monotonicEpochClock } from './clock';
import { DriverRefusedError, errorText } from './errors';
import type { Invoker } from './invoker';
import type { ShardJournal } from './shard-journal';
import { closedManifest, manifestText, openedManifest, parseStoredManifest, type RunProvenance } from './run-manifest';
import { JSON_CONTENT_TYPE, JSONL_CONTENT_TYPE, type ResultSink } from './sinks/result-sink';

export interface DriverDeps extends RunProvenance {
  plan: StudyPlan;
  deployment: Deployment;
  invoker: Invoker;
  sink: ResultSink;
  clock?: EpochClock;
  /** Stops a burst from sending more requests; the unsent ones are recorded as `skipped`. */
  stop?: AbortSignal;
  /** Once stopped, how long answers in flight are awaited before they are recorded as abandoned (default: to their timeout). */
  stopGraceMs?: number;
  /** A running journal of each shard (hosts where the driver may die with answers in memory: shard-journal.ts). */
  shardJournal?: (event: BurstShardEvent, requests: number[]) => ShardJournal;
  retryDelay?: RetryDelay;
}

export interface RunStartedSummary {
  v: typeof DRIVER_EVENT_VERSION;
  action: 'start-run';
  study: string;
  run: string;
  keys: { plan: string; run: string };
}

export interface RunFinishedSummary {
  v: typeof DRIVER_EVENT_VERSION;
  action: 'finish-run';
  study: string;
  run: string;
  status: Exclude<RunStatus, 'running'>;
  key: string;
}

export type DriverSummary = RunStartedSummary | BurstShardSummary | StepDirective | RunFinishedSummary;

/** Runs one orchestrator event. Refusals throw DriverRefusedError before anything is sent or written. */
export async function runDriverEvent(input: unknown, deps: DriverDeps): Promise<DriverSummary> {
  const event = parseDriverEvent(input);
  if (deps.deployment.planHash !== deps.plan.hash) {
    throw new DriverRefusedError(`deployment.planHash ${deps.deployment.planHash} does not match the deployed plan ${deps.plan.hash}`);
  }
  checkEventAgainstPlan(event, deps.plan);
  switch (event.action) {
    case 'start-run':
      return startRun(event, deps);
    case 'burst':
      return runBurst(event, deps);
    case 'describe-step':
      return describeOpenRunStep(event, deps);
    case 'finish-run':
      return finishRun(event, deps);
  }
}

async function startRun(event: Extract<DriverEvent, { action: 'start-run' }>, deps: DriverDeps): Promise<RunStartedSummary> {
  const clock = deps.clock ?? monotonicEpochClock;
  const keys = { plan: planKey(event.study, event.run), run: runManifestKey(event.study, event.run) };
  const existingText = await deps.sink.get(keys.run);
  const existing = existingText === null ? null : parseStoredManifest(existingText, keys.run);
  if (existing && existing.status !== 'running') {
    throw new DriverRefusedError(`run: ${event.run} already ended (${existing.status}); start a new run id`);
  }
  if (existing && existing.planHash !== deps.plan.hash) {
    throw new DriverRefusedError(`run: ${event.run} already exists for plan ${existing.planHash}; start a new run id`);
  }
  await deps.sink.put(keys.plan, `${JSON.stringify(deps.plan, null, 2)}\n`, JSON_CONTENT_TYPE);
  // A repeated start-run (an orchestrator retry) keeps the original start time.
  const startedAt = existing?.startedAt ?? isoFromEpochMs(clock.now());
  // The template hash comes with the execution where the starter knows it (AWS); else from the host, if any.
  const provenance = { ...deps, templateHash: event.execution?.templateHash ?? deps.templateHash };
  await deps.sink.put(keys.run, manifestText(openedManifest(deps.plan, deps.deployment, event.run, startedAt, provenance)), JSON_CONTENT_TYPE);
  return { v: DRIVER_EVENT_VERSION, action: 'start-run', study: event.study, run: event.run, keys };
}

/**
 * A step of a run that is still open: an execution left behind after its run
 * was closed (a hand-over that failed after the next execution had started)
 * learns nothing more and ends through its failure path.
 */
async function describeOpenRunStep(event: DescribeStepEvent, deps: DriverDeps): Promise<StepDirective> {
  const key = runManifestKey(event.study, event.run);
  const text = await deps.sink.get(key);
  const manifest = text === null ? null : parseStoredManifest(text, key);
  if (!manifest) throw new DriverRefusedError(`run: ${event.run} has no run.json; start-run first`);
  if (manifest.status !== 'running') throw new DriverRefusedError(`run: ${event.run} already ended (${manifest.status})`);
  return describeStep(event, deps.plan, deps.deployment);
}

async function runBurst(event: BurstShardEvent, deps: DriverDeps): Promise<BurstShardSummary> {
  checkTargets(deps.plan, deps.deployment);
  const clock = deps.clock ?? monotonicEpochClock;
  const key = shardKey(event.study, event.run, event.step.id, event.shard);
  // Completing a shard (event.only): the records already written are read, and checked, before anything is sent.
  const kept = event.only ? await recordsToKeep(deps.sink, key, event) : [];
  const { start, end } = shardRequestRange(event.step, event.shard);
  const requests = event.only ? event.only.map((o) => o.request) : Array.from({ length: end - start }, (_, i) => start + i);
  const journal = deps.shardJournal?.(event, requests) ?? null;
  journal?.start();
  const outcome = await sendBurstShard(event, {
    provider: deps.deployment.provider,
    targets: deps.deployment.targets,
    invoker: deps.invoker,
    clock,
    retryDelay: deps.retryDelay ?? defaultRetryDelay,
    stop: deps.stop,
    stopGraceMs: deps.stopGraceMs,
    onSending: journal ? () => journal.begin() : undefined,
    onSettled: journal ? (record) => journal.settled(record) : undefined,
  });
  const written = [...kept, ...outcome.records].sort((a, b) => a.request - b.request);
  await deps.sink.put(key, recordsToJsonl(written), JSONL_CONTENT_TYPE);
  journal?.discard();
  return BurstShardSummary.parse({
    v: DRIVER_EVENT_VERSION,
    action: 'burst',
    study: event.study,
    run: event.run,
    step: event.step.index,
    stepId: event.step.id,
    shard: event.shard,
    key,
    requests: outcome.records.length,
    attempts: outcome.attempts,
    counts: countStatuses(outcome.records),
    startedAt: outcome.startedAt,
    endedAt: clock.now(),
  });
}

async function finishRun(event: Extract<DriverEvent, { action: 'finish-run' }>, deps: DriverDeps): Promise<RunFinishedSummary> {
  const clock = deps.clock ?? monotonicEpochClock;
  const key = runManifestKey(event.study, event.run);
  const text = await deps.sink.get(key);
  const existing = text === null ? null : parseStoredManifest(text, key);
  const now = isoFromEpochMs(clock.now());
  const opened = () => openedManifest(deps.plan, deps.deployment, event.run, now, deps);
  await deps.sink.put(key, manifestText(closedManifest(existing, opened, event, now, deps)), JSON_CONTENT_TYPE);
  return { v: DRIVER_EVENT_VERSION, action: 'finish-run', study: event.study, run: event.run, status: event.status, key };
}

/** The records of a written shard that an `only` event does not replace; refuses a shard it cannot vouch for. */
async function recordsToKeep(sink: ResultSink, key: string, event: BurstShardEvent): Promise<InvocationRecord[]> {
  const text = await sink.get(key);
  if (text === null) throw new DriverRefusedError(`only: ${key} does not exist; a shard is completed only once it has been written`);
  const replaced = new Set(event.only!.map((o) => o.request));
  const kept: InvocationRecord[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let parsed: InvocationRecord;
    try {
      parsed = InvocationRecordSchema.parse(JSON.parse(line));
    } catch (error) {
      throw new DriverRefusedError(`only: ${key}:${i + 1} is not a valid record (${errorText(error).slice(0, 200)}); the shard is not completed`);
    }
    if (parsed.run !== event.run || parsed.planHash !== event.planHash || parsed.step !== event.step.index || parsed.shard !== event.shard) {
      throw new DriverRefusedError(`only: ${key}:${i + 1} belongs to another run, plan, step or shard; the shard is not completed`);
    }
    if (!replaced.has(parsed.request)) kept.push(parsed);
  });
  return kept;
}

export function recordsToJsonl(records: readonly InvocationRecord[]): string {
  return records.map((r) => `${JSON.stringify(r)}\n`).join('');
}

export function countStatuses(records: readonly InvocationRecord[]): BurstShardSummary['counts'] {
  const counts = { ok: 0, error: 0, throttled: 0, timeout: 0, skipped: 0 };
  for (const r of records) counts[r.status] += 1;
  return counts;
}
