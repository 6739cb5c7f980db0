/**
 * The local orchestrator: walks a plan with the same semantics as the cloud
 * orchestrators (Step Functions, Workflows, Durable Functions):
 *   start-run (driver) → for each step: wait | update | burst → finish-run (driver)
 * Each burst's shards run in parallel as separate driver processes sharing one
 * `stepStartedAt`, so they share the barrier. Waits run on the platform clock
 * (platform-clock.ts): each lands on its planned platform time, the real time
 * of the steps around it compensated. Every failure is caught and recorded;
 * finish-run closes run.json, with status `interrupted` when the run was
 * stopped (Ctrl-C), and is done in-process should its driver fail.
 *
 * Everything is journaled (local-run/journal.jsonl) so that a run whose
 * `curtain run` died can be closed or resumed. A shard whose driver dies is
 * never sent again blindly: its journal keeps the answers the driver got, the
 * platform tells which of its requests arrived, and only requests that never
 * left are sent again; a request that may have reached a probe is sent again
 * only with `resend` (and its record then says so), otherwise it is recorded
 * as an `error` of unknown fate.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { shardRequestRange } from '../../experiments/expand-schedule';
import type { BurstStep, StudyPlan } from '../../experiments/plan-schema';
import type { ConfigChange } from '../../experiments/schema';
import { BurstShardSummary, DRIVER_EVENT_VERSION, type DriverEvent, type FinishRunEvent } from '../../probe-runtime/contracts/driver-event';
import type { RunStatus } from '../../probe-runtime/contracts/run-manifest';
import type { InvocationRecord } from '../../probe-runtime/contracts/invocation-record';
import type { ResultSink } from '../../probe-runtime/driver/sinks/result-sink';
import type { z } from 'zod';
import type { Random } from '../random';
import { readJournal, type RunJournal } from '../run-state/run-journal';
import { readDriverJournal, readShardRecords, removeDriverJournal } from '../run-state/shard-evidence';
import { shardSendsFromJournal } from '../run-state/shard-sends';
import type { TimeScale } from '../time-scale';
import { callDriver, type ChildHooks, type DriverCallResult, type DriverCommand } from './driver-process';
import { type FallbackReason, writeDeadDriverShard, writeFallbackShard } from './fallback-records';
import { type BurstTiming, PlatformClock, stepFunctions } from './platform-clock';

/** Driver processes per burst shard when drivers die before they could send (each is journaled). */
export const SHARD_ATTEMPTS = 3;

/** After a driver died, how long the platform is given to take in requests that were already on the wire. */
const ARRIVAL_SETTLE_MS = 150;

export interface RunFailure {
  step: number;
  shard: number | null;
  message: string;
}

export type OrchestratorEvent =
  /** `realWaitMs`: for a wait, the real time it sleeps (the platform clock's compensation included). */
  | { kind: 'step'; step: StudyPlan['steps'][number]; startedAt: number; realWaitMs?: number }
  | { kind: 'shard'; step: BurstStep; summary: BurstShardSummary }
  | { kind: 'failure'; failure: RunFailure }
  | { kind: 'interrupted' };

/** What a resumed run still has to send of one shard. */
export type ShardWork = { only: { request: number; priorSends: number }[] };

export interface ResumePoint {
  /** The first step walked; updates before it are applied to the platform, waits and bursts before it are done. */
  fromStep: number;
  /** Per burst step index, per shard: what is left to send. A shard not listed is complete. */
  work: Map<number, Map<number, ShardWork>>;
}

export interface WalkOptions {
  plan: StudyPlan;
  run: string;
  /** `<out>/<study>/<run>`, where the journals live. */
  runDir: string;
  driver: DriverCommand;
  sink: ResultSink;
  journal: RunJournal;
  /** Applies an update step to the platform. */
  update(functionKey: string, change: ConfigChange, generation: string): void;
  /** Requests of a step that reached the platform since an epoch-ms time (to tell what a dead driver sent). */
  arrivals(step: number, since: number): Set<number>;
  /** Whether the driver bundle keeps shard journals (drivers of older versions do not: their deaths are of unknown fate). */
  driverJournals: boolean;
  /** Send again requests that may have reached a probe through a driver that died (recorded as re-sent). */
  resend: boolean;
  /** Continue a run from this point instead of starting it (no start-run). */
  resume?: ResumePoint;
  /** Failures of earlier segments of a resumed run that still hold. */
  carriedFailures?: RunFailure[];
  /** Closes run.json without a driver, should the finish-run driver fail. */
  finishInProcess(event: z.input<typeof FinishRunEvent>): Promise<void>;
  timeScale: TimeScale;
  /** Aborted on Ctrl-C: no new step starts, running drivers are told to stop. */
  interrupt: AbortSignal;
  /** Fault injection: chance that a shard's driver is killed as it starts. */
  driverCrash: number;
  faultRandom: Random;
  /** A driver start-up measured before the run, ms: the platform clock's first estimate of it. */
  driverStartupMs?: number | null;
  onEvent?: (event: OrchestratorEvent) => void;
  /** Driver processes as they start and end (the run's watchdog). */
  children?: ChildHooks;
}

export interface WalkResult {
  status: Exclude<RunStatus, 'running'>;
  stepsCompleted: number;
  failures: RunFailure[];
  driverCalls: number;
}

type Common = { v: 1; study: string; run: string; planHash: string };

/** One driver call: `stop` asks it to stop, `crash` kills it as it starts (fault injection), `releaseAt` holds its event back. */
type Call = (event: DriverEvent, stop: AbortSignal | undefined, crash?: boolean, releaseAt?: number) => Promise<DriverCallResult>;

export async function walkPlan(options: WalkOptions): Promise<WalkResult> {
  const { plan, run } = options;
  const common: Common = { v: DRIVER_EVENT_VERSION, study: plan.study.id, run, planHash: plan.hash };
  const failures: RunFailure[] = [...(options.carriedFailures ?? [])];
  const fail = (failure: RunFailure) => {
    failures.push(failure);
    options.onEvent?.({ kind: 'failure', failure });
  };
  let driverCalls = 0;
  const call: Call = (event, stop, crash = false, releaseAt) => {
    driverCalls += 1;
    return callDriver(options.driver, event, { stop, crashAfterMs: crash ? options.faultRandom.int(0, 30) : null, releaseAt, children: options.children });
  };
  const fromStep = options.resume?.fromStep ?? 0;
  options.journal.append({ t: 'segment', pid: process.pid, fromStep, resend: options.resend, driverJournals: options.driverJournals });

  let stepsCompleted = fromStep;
  let started = options.resume !== undefined;
  if (!started) {
    // start-run is not stopped by Ctrl-C: it only writes plan.json and run.json, and a run with both
    // can be closed honestly (interrupted) whenever the interrupt came.
    const opened = await call({ ...common, action: 'start-run' }, undefined);
    if (opened.ok) started = true;
    else fail({ step: -1, shard: null, message: `start-run: ${opened.message}` });
  }

  let next = fromStep;
  if (started) {
    for (const step of plan.steps.slice(0, fromStep)) if (step.kind === 'update') options.update(step.function, step.change, step.generation);
    const clock = new PlatformClock(
      plan.functions.map((f) => f.key),
      options.timeScale,
      Date.now(),
      options.driverStartupMs ?? null,
    );
    /** When the burst after a wait is due (its drivers get their event just before). */
    let burstDueAt: number | null = null;
    for (; next < plan.steps.length && !options.interrupt.aborted; next++) {
      const step = plan.steps[next]!;
      const scheduled = step.kind === 'wait' ? scheduleWait(clock, plan.steps, next) : null;
      if (scheduled) burstDueAt = scheduled.burstDueAt;
      options.onEvent?.({ kind: 'step', step, startedAt: Date.now(), realWaitMs: scheduled?.sleepMs });
      options.journal.append({ t: 'step', step: step.index });
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
        burstDueAt = null;
        clock.burstDone(step.targets, await runBurst(step, options, common, call, fail, releaseAt));
        if (options.interrupt.aborted) break;
      }
      options.journal.append({ t: 'step-done', step: step.index });
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
  const shardSends = shardSendsFromJournal(readJournal(options.runDir), options.runDir, plan, run);
  const finish = { ...common, action: 'finish-run' as const, status, stepsCompleted, failures: [...failures], shardSends };
  // finish-run must not be stopped by the interrupt that ended the run; a driver that dies is tried
  // once more, then the run is closed in-process by the same driver code, so run.json never stays `running`.
  let closed = await call(finish, undefined);
  if (!closed.ok && closed.retryable) closed = await call(finish, undefined);
  if (!closed.ok) {
    failures.push({ step: -1, shard: null, message: `finish-run: ${closed.message}; run.json was closed by curtain itself` });
    await options.finishInProcess({ ...finish, status: 'failed', failures });
  }
  return { status: closed.ok ? status : 'failed', stepsCompleted, failures, driverCalls };
}

/**
 * Puts the wait `steps[index]` on the platform clock: the last of consecutive waits sleeps until
 * the next step is due (a burst's drivers start early and are given their event when it is due);
 * a wait that ends the plan, until every function has had its planned time.
 */
function scheduleWait(clock: PlatformClock, steps: StudyPlan['steps'], index: number): { sleepMs: number; burstDueAt: number | null } {
  const step = steps[index]!;
  if (step.kind === 'wait') clock.wait(step.seconds);
  const following = steps[index + 1];
  if (following?.kind === 'wait') return { sleepMs: 0, burstDueAt: null };
  const due = clock.dueAt(following ? stepFunctions(following) : [...new Set(steps.flatMap(stepFunctions))]);
  const until = following?.kind === 'burst' ? clock.spawnDriverAt(due) : due;
  return { sleepMs: Math.max(0, until - Date.now()), burstDueAt: following?.kind === 'burst' ? due : null };
}

async function runBurst(
  step: BurstStep,
  options: WalkOptions,
  common: Common,
  call: Call,
  fail: (failure: RunFailure) => void,
  /** Real epoch ms at which the drivers get their event (they start now and wait for it). */
  releaseAt?: number,
): Promise<BurstTiming> {
  const spawnedAt = Date.now();
  const releasedAt = Math.max(spawnedAt, releaseAt ?? spawnedAt);
  // One start time for every shard: the barrier is stepStartedAt + barrierMs for all of them.
  const stepStartedAt = new Date(releasedAt).toISOString();
  const work = options.resume?.work.get(step.index);
  const shards = Array.from({ length: step.shards }, (_, shard) => shard).filter((shard) => !options.resume || work?.has(shard));
  const shardTimes = await Promise.all(
    shards.map((shard) => runShard(step, shard, work?.get(shard) ?? null, stepStartedAt, releaseAt, options, common, call, fail)),
  );
  const sent = shardTimes.filter((t): t is ShardTimes => t !== null);
  return {
    spawnedAt,
    releasedAt,
    firstSendAt: sent.length > 0 ? Math.min(...sent.map((t) => t.startedAt)) : null,
    endedAt: sent.length > 0 ? Math.max(...sent.map((t) => t.endedAt)) : Date.now(),
  };
}

/** When a shard's driver sent its first request and got its last answer (epoch ms). */
type ShardTimes = { startedAt: number; endedAt: number };

/** Runs one shard (its drivers, as many as it takes); its times when a driver wrote it, else null. */
async function runShard(
  step: BurstStep,
  shard: number,
  initial: ShardWork | null,
  stepStartedAt: string,
  /** Real epoch ms at which the first driver gets its event (later ones get it at once). */
  releaseAt: number | undefined,
  options: WalkOptions,
  common: Common,
  call: Call,
  fail: (failure: RunFailure) => void,
): Promise<ShardTimes | null> {
  const { plan, run, runDir } = options;
  const { start, end } = shardRequestRange(step, shard);
  let only = initial?.only ?? null;
  for (let attempt = 1; ; attempt++) {
    const asked = only ? only.map((o) => o.request) : Array.from({ length: end - start }, (_, i) => start + i);
    const priorSends = new Map((only ?? []).filter((o) => o.priorSends > 0).map((o) => [o.request, o.priorSends]));
    const event: DriverEvent = { ...common, action: 'burst', step, shard, stepStartedAt, ...(only ? { only } : {}) };
    options.journal.append({ t: 'send', step: step.index, shard, requests: asked.length });
    const sentFrom = Date.now();
    const crash = attempt === 1 && options.faultRandom.chance(options.driverCrash);
    const result = await call(event, options.interrupt, crash, attempt === 1 ? releaseAt : undefined);
    if (result.ok) {
      options.journal.append({ t: 'send-end', step: step.index, shard, outcome: 'written', detail: 'the driver wrote the shard' });
      const summary = BurstShardSummary.safeParse(result.summary);
      if (summary.success) {
        options.onEvent?.({ kind: 'shard', step, summary: summary.data });
        return { startedAt: summary.data.startedAt, endedAt: summary.data.endedAt };
      }
      fail({ step: step.index, shard, message: 'the driver answered with an invalid shard summary' });
      return null;
    }

    // The driver died or refused without writing the shard: what did it get, and what did it send?
    await sleep(ARRIVAL_SETTLE_MS);
    const journaled = readDriverJournal(runDir, plan, run, step, shard);
    const arrived = options.arrivals(step.index, sentFrom);
    const askedSet = new Set(asked);
    const reached = new Set([...arrived].filter((r) => askedSet.has(r)));
    // A driver stopped while it waited for its event (platform clock) cannot have sent anything.
    const began =
      result.eventSent !== false && (reached.size > 0 || journaled?.sending === true || (!options.driverJournals && result.exitCode !== 1));
    const outcome = result.exitCode === 1 ? 'refused' : began ? 'died after sending began' : 'died before sending';
    options.journal.append({ t: 'send-end', step: step.index, shard, outcome, detail: result.message });
    const interrupted = options.interrupt.aborted;
    if (!began && result.retryable && !interrupted && attempt < SHARD_ATTEMPTS) continue;

    // Requests the platform never received were never sent; those it did receive may have run.
    const fate = (request: number): FallbackReason =>
      result.eventSent === false
        ? { status: 'skipped', error: `not sent: the shard's driver ${interrupted ? 'was stopped' : 'failed'} before sending it (${result.message})` }
        : !options.driverJournals
          ? { status: 'error', error: `the shard's driver failed (${result.message}); requests may have been sent` }
          : reached.has(request)
            ? { status: 'error', error: `sent (the platform received it), but the driver died before recording the answer (${result.message}); the probe may have run` }
            : { status: 'skipped', error: `not sent: the shard's driver ${interrupted ? 'was stopped' : 'failed'} before sending it (${result.message})` };
    let written: InvocationRecord[];
    try {
      const existing = only ? readShardRecords(runDir, plan, run, step, shard) : null;
      written = await writeDeadDriverShard(options.sink, plan, run, step, shard, { existing, asked, journaled: journaled?.records ?? new Map(), fate, priorSends });
      removeDriverJournal(runDir, step, shard);
    } catch (error) {
      fail({ step: step.index, shard, message: `writing the records of a dead driver: ${error instanceof Error ? error.message : String(error)}` });
      return null;
    }
    const mine = written.filter((r) => askedSet.has(r.request));
    const unresolved = mine.filter((r) => r.status === 'error' && r.attempts === 0).map((r) => r.request);
    const notSent = mine.filter((r) => r.status === 'skipped').map((r) => r.request);
    if (interrupted) return null;
    if (unresolved.length > 0 && !options.resend) {
      fail({
        step: step.index,
        shard,
        message: `burst shard: ${result.message}; ${unresolved.length} request(s) may have reached a probe without a recorded answer and were not sent again (curtain resume --resend sends them again)`,
      });
    }
    // Requests that never left are always sent (nothing was sent twice); possibly-sent ones only with resend.
    const again = [
      ...notSent.map((request) => ({ request, priorSends: priorSends.get(request) ?? 0 })),
      ...(options.resend ? unresolved.map((request) => ({ request, priorSends: (priorSends.get(request) ?? 0) + 1 })) : []),
    ].sort((a, b) => a.request - b.request);
    if (again.length > 0 && result.retryable && attempt < SHARD_ATTEMPTS) {
      only = again;
      continue;
    }
    if (again.length > 0) {
      fail({ step: step.index, shard, message: `burst shard: ${result.message}; ${again.length} request(s) were not sent (curtain resume${options.resend ? ' --resend' : ''} sends them)` });
    }
    return null;
  }
}
