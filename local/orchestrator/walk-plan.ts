/**
 * The local orchestrator: walks a plan with the same semantics as the cloud
 * orchestrators (Step Functions, Workflows, Durable Functions):
 *   start-run (driver) → for each step: wait | update | burst → finish-run (driver)
 * Each burst's shards run in parallel as separate driver processes sharing one
 * `stepStartedAt`, so they share the barrier. Waits run on the platform clock
 * (platform-clock.ts): each lands on its planned platform time, the real time
 * of the steps around it compensated. Every failure is caught and recorded;
 * finish-run always closes run.json, with status `interrupted` when the run
 * was stopped (Ctrl-C).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type BurstStep, burstSendSpanMs, type StudyPlan } from '../../experiments/plan-schema';
import type { ConfigChange } from '../../experiments/schema';
import { BurstShardSummary, DRIVER_EVENT_VERSION, type DriverEvent } from '../../probe-runtime/contracts/driver-event';
import type { RunStatus } from '../../probe-runtime/contracts/run-manifest';
import type { ResultSink } from '../../probe-runtime/driver/sinks/result-sink';
import type { Random } from '../random';
import type { TimeScale } from '../time-scale';
import { runStartedAtMs } from './run-start';
import { callDriver, type DriverCallResult, type DriverCommand } from './driver-process';
import { writeFallbackShard } from './fallback-records';
import { type BurstTiming, PlatformClock, stepFunctions } from './platform-clock';

/** Attempts per burst shard when its driver process dies (a retried shard overwrites its own key). */
export const SHARD_ATTEMPTS = 3;

export interface RunFailure {
  step: number;
  shard: number | null;
  message: string;
}

export type OrchestratorEvent =
  /**
   * `realWaitMs`: for a wait, the real time it sleeps (the platform clock's compensation included);
   * `anchoredUntil`: for a wait anchored to the run's start, the platform instant it ends at (run start + untilSeconds, ISO 8601).
   */
  | { kind: 'step'; step: StudyPlan['steps'][number]; startedAt: number; realWaitMs?: number; anchoredUntil?: string }
  | { kind: 'shard'; step: BurstStep; summary: BurstShardSummary }
  | { kind: 'failure'; failure: RunFailure }
  | { kind: 'interrupted' };

export interface WalkOptions {
  plan: StudyPlan;
  run: string;
  driver: DriverCommand;
  sink: ResultSink;
  /** Applies an update step to the platform. */
  update(functionKey: string, change: ConfigChange, generation: string): void;
  timeScale: TimeScale;
  /** Aborted on Ctrl-C: no new step starts, running drivers are told to stop. */
  interrupt: AbortSignal;
  /** Fault injection: chance that a shard's driver is killed as it starts. */
  driverCrash: number;
  faultRandom: Random;
  /** A driver start-up measured before the run, ms: the platform clock's first estimate of it. */
  driverStartupMs?: number | null;
  onEvent?: (event: OrchestratorEvent) => void;
}

export interface WalkResult {
  status: Exclude<RunStatus, 'running'>;
  stepsCompleted: number;
  failures: RunFailure[];
  driverCalls: number;
}

export async function walkPlan(options: WalkOptions): Promise<WalkResult> {
  const { plan, run } = options;
  const common = { v: DRIVER_EVENT_VERSION, study: plan.study.id, run, planHash: plan.hash } as const;
  const failures: RunFailure[] = [];
  const fail = (failure: RunFailure) => {
    failures.push(failure);
    options.onEvent?.({ kind: 'failure', failure });
  };
  let driverCalls = 0;
  const call = (event: DriverEvent, crash = false, releaseAt?: number): Promise<DriverCallResult> => {
    driverCalls += 1;
    return callDriver(options.driver, event, { stop: options.interrupt, crashAfterMs: crash ? options.faultRandom.int(0, 30) : null, releaseAt });
  };

  let stepsCompleted = 0;
  let started = false;
  const calledStartAt = Date.now();
  const opened = await call({ ...common, action: 'start-run' });
  if (opened.ok) started = true;
  else fail({ step: -1, shard: null, message: `start-run: ${opened.message}` });
  // Anchored waits count from the run's start as the driver recorded it.
  const runStart = (opened.ok ? runStartedAtMs(opened.summary) : null) ?? calledStartAt;

  let next = 0;
  if (started) {
    // Platform time starts with the run (anchored waits count from it, as on a cloud).
    const clock = new PlatformClock(
      plan.functions.map((f) => f.key),
      options.timeScale,
      runStart,
      options.driverStartupMs ?? null,
    );
    /** When the burst after a wait is due (its drivers get their event just before). */
    let burstDueAt: number | null = null;
    for (; next < plan.steps.length && !options.interrupt.aborted; next++) {
      const step = plan.steps[next]!;
      const scheduled = step.kind === 'wait' ? scheduleWait(clock, plan.steps, next) : null;
      if (scheduled) burstDueAt = scheduled.burstDueAt;
      const anchoredUntil = step.kind === 'wait' && step.untilSeconds !== undefined ? new Date(runStart + step.untilSeconds * 1000).toISOString() : undefined;
      options.onEvent?.({ kind: 'step', step, startedAt: Date.now(), realWaitMs: scheduled?.sleepMs, ...(anchoredUntil ? { anchoredUntil } : {}) });
      if (step.kind === 'wait') {
        await sleep(scheduled!.sleepMs, undefined, { signal: options.interrupt }).catch(() => undefined);
        if (options.interrupt.aborted) break;
      } else if (step.kind === 'update') {
        try {
          options.update(step.function, step.change, step.generation);
        } catch (error) {
          fail({ step: step.index, shard: null, message: `update of ${step.function}: ${error instanceof Error ? error.message : String(error)}` });
        }
      } else {
        const releaseAt = burstDueAt === null ? undefined : clock.releaseDriverAt(burstDueAt);
        // Open-loop sends are planned from the instant the burst is due (not from when its drivers got their event).
        const sendsFrom = step.sendOffsetsMs && burstDueAt !== null ? burstDueAt : undefined;
        burstDueAt = null;
        clock.burstDone(step.targets, await runBurst(step, options, common, call, fail, releaseAt, sendsFrom));
        if (options.interrupt.aborted) break;
      }
      stepsCompleted += 1;
    }
  }

  // Whatever was not sent still gets its records: `skipped` for steps never reached.
  const interrupted = options.interrupt.aborted;
  if (interrupted) options.onEvent?.({ kind: 'interrupted' });
  // (An interrupted burst's own shards were closed by runBurst; existing shards are never rewritten.)
  const firstUnsent = started ? next : 0;
  for (const step of plan.steps.slice(firstUnsent)) {
    if (step.kind !== 'burst') continue;
    for (let shard = 0; shard < step.shards; shard++) {
      await writeFallbackShard(options.sink, plan, run, step, shard, {
        status: 'skipped',
        error: interrupted ? 'the run was interrupted before this request was sent' : 'the run stopped before this step (start-run failed)',
      }).catch((error: unknown) => fail({ step: step.index, shard, message: `writing skipped records: ${String(error)}` }));
    }
  }

  const status: WalkResult['status'] = interrupted ? 'interrupted' : failures.length > 0 ? 'failed' : 'completed';
  // finish-run must not be stopped by the interrupt that ended the run.
  driverCalls += 1;
  const closed = await callDriver(options.driver, { ...common, action: 'finish-run', status, stepsCompleted, failures });
  if (!closed.ok) failures.push({ step: -1, shard: null, message: `finish-run: ${closed.message}` });
  return { status: closed.ok ? status : 'failed', stepsCompleted, failures, driverCalls };
}

/**
 * Puts the wait `steps[index]` on the platform clock: the last of consecutive waits sleeps until
 * the next step is due (a burst's drivers start early and are given their event when it is due);
 * a wait that ends the plan, until every function has had its planned time.
 */
function scheduleWait(clock: PlatformClock, steps: StudyPlan['steps'], index: number): { sleepMs: number; burstDueAt: number | null } {
  const step = steps[index]!;
  if (step.kind === 'wait') {
    if (step.untilSeconds !== undefined) clock.waitUntil(step.untilSeconds);
    else clock.wait(step.seconds);
  }
  const following = steps[index + 1];
  if (following?.kind === 'wait') return { sleepMs: 0, burstDueAt: null };
  const due = clock.dueAt(following ? stepFunctions(following) : [...new Set(steps.flatMap(stepFunctions))]);
  const until = following?.kind === 'burst' ? clock.spawnDriverAt(due) : due;
  return { sleepMs: Math.max(0, until - Date.now()), burstDueAt: following?.kind === 'burst' ? due : null };
}

async function runBurst(
  step: BurstStep,
  options: WalkOptions,
  common: { v: 1; study: string; run: string; planHash: string },
  call: (event: DriverEvent, crash?: boolean, releaseAt?: number) => Promise<DriverCallResult>,
  fail: (failure: RunFailure) => void,
  /** Real epoch ms at which the drivers get their event (they start now and wait for it). */
  releaseAt?: number,
  /** Open-loop bursts: the real epoch ms their send offsets count from (when the burst is due), even if past. */
  sendsFrom?: number,
): Promise<BurstTiming> {
  const spawnedAt = Date.now();
  const releasedAt = Math.max(spawnedAt, releaseAt ?? spawnedAt);
  // One start time for every shard: the barrier (stepStartedAt + barrierMs) and open-loop sends
  // (stepStartedAt + offset, scaled) count from it for all of them.
  const stepStartedAt = new Date(sendsFrom ?? releasedAt).toISOString();
  const shardTimes: { startedAt: number; endedAt: number }[] = [];
  await Promise.all(
    Array.from({ length: step.shards }, async (_, shard) => {
      const event: DriverEvent = { ...common, action: 'burst', step, shard, stepStartedAt };
      let last: DriverCallResult | null = null;
      for (let attempt = 1; attempt <= SHARD_ATTEMPTS; attempt++) {
        const crash = attempt === 1 && options.faultRandom.chance(options.driverCrash);
        last = await call(event, crash, attempt === 1 ? releaseAt : undefined);
        if (last.ok || !last.retryable || options.interrupt.aborted) break;
      }
      if (last?.ok) {
        const summary = BurstShardSummary.safeParse(last.summary);
        if (summary.success) {
          shardTimes.push({ startedAt: summary.data.startedAt, endedAt: summary.data.endedAt });
          options.onEvent?.({ kind: 'shard', step, summary: summary.data });
        } else fail({ step: step.index, shard, message: 'the driver answered with an invalid shard summary' });
        return;
      }
      const message = last?.ok === false ? last.message : 'the driver did not run';
      if (!options.interrupt.aborted) fail({ step: step.index, shard, message: `burst shard: ${message}` });
      // A driver stopped while it waited for its event sent nothing: `skipped`. Otherwise not: the
      // orchestrator cannot know which of the shard's requests reached a probe.
      const unsent = options.interrupt.aborted && last?.ok === false && last.eventSent === false;
      await writeFallbackShard(options.sink, options.plan, options.run, step, shard, {
        status: unsent ? 'skipped' : 'error',
        error: unsent
          ? 'the run was interrupted before this request was sent'
          : options.interrupt.aborted
            ? `the run was interrupted and the shard's driver stopped before writing its records (${message}); requests may have been sent`
            : `the shard's driver failed (${message}); requests may have been sent`,
      }).catch((error: unknown) => fail({ step: step.index, shard, message: `writing fallback records: ${String(error)}` }));
    }),
  );
  return {
    spawnedAt,
    releasedAt,
    firstSendAt: shardTimes.length > 0 ? Math.min(...shardTimes.map((t) => t.startedAt)) : null,
    endedAt: shardTimes.length > 0 ? Math.max(...shardTimes.map((t) => t.endedAt)) : Date.now(),
    sendSpanMs: burstSendSpanMs(step),
  };
}
