/**
 * The local platform's time scale. Waits of the plan and the platform's own
 * timers (idle timeout, maximum lifetime, the stale window after an update)
 * run `scale` times faster than real time, so a schedule of hours takes
 * seconds. Latencies (process starts, requests, tasks, function timeouts) are
 * real and never scaled: a scaled run measures the same cold starts as an
 * unscaled one, only the clock between bursts runs fast. The analysis turns
 * real intervals between records into platform time by multiplying them by
 * the scale recorded in run.json (`local.timeScale`).
 */
import { type BurstStep, burstSendSpanMs, type StudyPlan } from '../experiments/plan-schema';
import { taskExpectedDurationMs } from '../probe-runtime/contracts/task';
import { PlatformClock, stepFunctions } from './orchestrator/platform-clock';
import type { PlatformProfile } from './profiles';
import { scalablePlatformSeconds } from './scalable-seconds';

/** Scaled waits of a default run should add up to at most this much real time. */
export const DEFAULT_REAL_WAIT_BUDGET_SECONDS = 60;

/**
 * The real cost of a step on this machine beyond what the plan says: a driver process's start-up
 * (local/orchestrator/driver-startup.ts measures it before a run).
 */
export interface StepOverhead {
  driverStartupMs: number;
  /** Measured on this machine now, or the nominal value (generated docs, a plan without waits). */
  measured: boolean;
}

/**
 * A driver's start-up on the two-core development machine while other work loaded it to ~15
 * (2026-12: 0.34-0.75 s; ~0.15 s idle). Only the generated docs and runs that need no
 * measurement use it.
 */
export const NOMINAL_STEP_OVERHEAD: StepOverhead = { driverStartupMs: 600, measured: false };

/** Real time a burst's requests take once sent, beyond its barrier and task: cold starts and answers, ms. */
const BURST_ANSWER_MS = 150;
/** The schedule must hold with every step taking this many times its estimated real time (jitter of a loaded machine). */
const SCHEDULE_SAFETY = 1.25;
/**
 * How late a step after a wait may be, platform time: 5 % of its planned gap, at most a minute (the
 * analysis's narrowest gap window, analysis/studies/idle-recycling.ts: max(1 min, 5 %); it reads
 * the gap each trial really had, so a late step moves a trial within the grid, never loses it).
 */
const LATE_FRACTION = 0.05;
const MAX_LATE_MS = 60_000;

export interface TimeScaleChoice {
  scale: number;
  /** In words, for the summary and run.json notes. */
  reason: string;
}

/**
 * The default scale of a plan on a profile: 1 when its waits fit the budget as they are, else the
 * smallest 1-2-5 step that brings them within it (2 h of waits → 200×, 36 s), but no faster than
 * - keeps every wait on its planned platform time: the real time the plan leaves before each step
 *   (its waits divided by the scale) must hold the steps in between and a driver's start-up
 *   (`scheduleHolds`; idle-recycling's 1-minute steps between 1.2 s bursts: 20-50× by the
 *   machine's load, not 200×);
 * - keeps the longest burst's real time, scaled, under half of the profile's shortest timer, so
 *   that instances a schedule means to keep are not reaped as idle while another burst runs.
 */
export function defaultTimeScale(
  plan: Pick<StudyPlan, 'duration' | 'steps'>,
  profile: PlatformProfile,
  overhead: StepOverhead = NOMINAL_STEP_OVERHEAD,
): TimeScaleChoice {
  const waits = scalablePlatformSeconds(plan); // waits and open-loop send spans
  if (waits <= DEFAULT_REAL_WAIT_BUDGET_SECONDS) {
    return { scale: 1, reason: `real time: the plan waits ${formatSeconds(waits)} in all` };
  }
  const wanted = niceCeil(waits / DEFAULT_REAL_WAIT_BUDGET_SECONDS);
  const startup = `${overhead.measured ? 'measured' : 'nominal'} driver start-up ${(overhead.driverStartupMs / 1000).toFixed(2)} s`;
  const timer = shortestTimer(plan, profile);
  const longestBurstSeconds = Math.max(0, ...plan.steps.filter((s): s is BurstStep => s.kind === 'burst').map((s) => burstRealMs(s, overhead) / 1000));
  const timerCap = timer ? Math.max(1, niceFloor((timer.seconds * 0.5) / longestBurstSeconds)) : Number.POSITIVE_INFINITY;
  let scale = Math.min(wanted, timerCap);
  while (scale > 1 && !scheduleHolds(plan.steps, scale, overhead)) scale = niceFloor(scale * 0.99);
  const runs = `${formatSeconds(waits)} of waits run in ${formatSeconds(waits / scale)}`;
  if (scale === wanted) return { scale, reason: `default for this plan: ${runs}` };
  const why =
    scale === timerCap && timer
      ? `so that a burst's real time (${formatSeconds(longestBurstSeconds)}, ${startup}) stays well under the ${timer.name} of ${formatSeconds(timer.seconds)}`
      : `so that every wait lands on its planned platform time: the real time between steps must hold the bursts in between (${startup})`;
  return { scale, reason: `default for this plan: ${runs} (not faster, ${why})` };
}

/** Estimated real time of a burst from its driver's start to its last answer, ms. */
export function burstRealMs(step: BurstStep, overhead: StepOverhead): number {
  return overhead.driverStartupMs + step.barrierMs + taskExpectedDurationMs(step.task) + BURST_ANSWER_MS;
}

/**
 * Whether, at this scale, every step after a wait starts on its planned platform time (within
 * `LATE_FRACTION` of its gap, at most `MAX_LATE_MS`) with every step's real time taken
 * `SCHEDULE_SAFETY` times: the walk simulated on the platform clock the walker uses
 * (local/orchestrator/platform-clock.ts), where a burst's driver must have started up before the
 * burst is due.
 */
export function scheduleHolds(steps: StudyPlan['steps'], scale: number, overhead: StepOverhead): boolean {
  const functions = [...new Set(steps.flatMap(stepFunctions))];
  const timeScale = new TimeScale(scale);
  const clock = new PlatformClock(functions, timeScale, 0);
  let now = 0;
  let waited = false;
  /** After waits anchored to the run's start: the planned platform gap before the next step and the anchors' period. */
  let anchored: { gapMs: number; periodMs: number } | null = null;
  let lastAnchorSeconds = 0;
  for (const step of steps) {
    if (step.kind === 'wait') {
      if (step.untilSeconds !== undefined) {
        clock.waitUntil(step.untilSeconds);
        anchored = { gapMs: step.seconds * 1000, periodMs: (step.untilSeconds - lastAnchorSeconds) * 1000 };
        lastAnchorSeconds = step.untilSeconds;
      } else {
        clock.wait(step.seconds);
        if (anchored) anchored.gapMs += step.seconds * 1000;
      }
      waited = true;
      continue;
    }
    const due = clock.dueAt(stepFunctions(step));
    const startupMs = step.kind === 'burst' ? SCHEDULE_SAFETY * overhead.driverStartupMs : 0;
    const start = Math.max(due, now + startupMs);
    const lateMs = (start - due) * scale;
    if (anchored) {
      // An anchored step must start on its anchor, and the platform time it leaves after the steps
      // before it (the real time they took, scaled) must be the gap the plan expects (on a cloud, the
      // bursts take their real time unscaled): keep-warm's pings would otherwise find the function
      // idle for less than planned. Both within 5 % of the anchors' period, at most a minute.
      const shortMs = anchored.gapMs - (start - now) * scale;
      if (Math.max(lateMs, shortMs) > Math.min(MAX_LATE_MS, LATE_FRACTION * anchored.periodMs)) return false;
    } else if (waited && lateMs > Math.min(MAX_LATE_MS, LATE_FRACTION * clock.plannedMs(stepFunctions(step)))) return false;
    waited = false;
    anchored = null;
    if (step.kind === 'burst') {
      // Open-loop sends are spread over their span in platform time (scaled); the rest takes real time.
      const spanMs = burstSendSpanMs(step);
      const end = start + timeScale.realMs(spanMs) + SCHEDULE_SAFETY * (burstRealMs(step, overhead) - overhead.driverStartupMs);
      clock.burstDone(step.targets, { spawnedAt: start - startupMs, releasedAt: start, firstSendAt: start, endedAt: end, sendSpanMs: spanMs });
      now = end;
    } else now = start;
  }
  return true;
}

function shortestTimer(plan: Pick<StudyPlan, 'steps'>, profile: PlatformProfile): { name: string; seconds: number } | null {
  const { lifecycle } = profile;
  const timers = [{ name: 'idle timeout', seconds: lifecycle.idleTimeoutMinutes.min * 60 }];
  if (lifecycle.maxLifetimeHours) timers.push({ name: 'maximum lifetime', seconds: lifecycle.maxLifetimeHours.min * 3600 });
  if (lifecycle.update.mode === 'lazy' && plan.steps.some((s) => s.kind === 'update')) {
    timers.push({ name: 'stale window after an update', seconds: lifecycle.update.staleWindowSeconds });
  }
  const positive = timers.filter((t) => t.seconds > 0).sort((a, b) => a.seconds - b.seconds);
  return positive[0] ?? null;
}

/** The largest number of the form {1, 2, 5} × 10^k that is ≤ x (at least 1). */
export function niceFloor(x: number): number {
  if (x < 2) return 1;
  const exponent = Math.floor(Math.log10(x));
  for (const base of [5, 2, 1]) {
    const candidate = base * 10 ** exponent;
    if (candidate <= x + 1e-9) return candidate;
  }
  return 10 ** exponent;
}

/** The smallest number of the form {1, 2, 5} × 10^k that is ≥ x. */
export function niceCeil(x: number): number {
  if (x <= 1) return 1;
  const exponent = Math.floor(Math.log10(x));
  for (const base of [1, 2, 5, 10]) {
    const candidate = base * 10 ** exponent;
    if (candidate >= x - 1e-9) return candidate;
  }
  return 10 ** (exponent + 1);
}

/**
 * A floor on a local run's wall time: its scaled waits plus its bursts' barriers, which are part of
 * the measurement and run in real time (process starts and requests come on top).
 */
export function minimumLocalSeconds(plan: Pick<StudyPlan, 'steps'>, timeScale: TimeScale): number {
  let seconds = 0;
  for (const step of plan.steps) {
    if (step.kind === 'wait') seconds += timeScale.realMs(step.seconds * 1000) / 1000;
    if (step.kind === 'burst') seconds += step.barrierMs / 1000 + timeScale.realMs(burstSendSpanMs(step)) / 1000;
  }
  return seconds;
}

export class TimeScale {
  constructor(readonly scale: number) {
    if (!(scale > 0) || !Number.isFinite(scale)) throw new Error(`time scale must be a positive number, got ${scale}`);
  }

  /** Real milliseconds for a platform-time duration. */
  realMs(platformMs: number): number {
    return platformMs / this.scale;
  }

  /** Platform-time milliseconds for a real duration. */
  platformMs(realMs: number): number {
    return realMs * this.scale;
  }

  describe(): string {
    return this.scale === 1
      ? 'real time (scale 1)'
      : `waits and platform timers (idle timeout, lifetime, update stale window) ran ${this.scale}x faster than real time; latencies are real`;
  }
}

export function formatSeconds(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds * 10) / 10} s`;
  if (seconds < 7200) return `${Math.round(seconds / 6) / 10} min`;
  return `${Math.round(seconds / 360) / 10} h`;
}
