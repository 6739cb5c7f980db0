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
import { burstSendSpanMs, type StudyPlan } from '../experiments/plan-schema';
import type { PlatformProfile } from './profiles';
import { scalablePlatformSeconds } from './scalable-seconds';

/** Scaled waits of a default run should add up to at most this much real time. */
export const DEFAULT_REAL_WAIT_BUDGET_SECONDS = 60;

/**
 * Real time one step takes on a two-core machine (a driver process, the requests). It runs on the
 * scaled clock too, so the default scale keeps it (scaled) under half of the shortest platform
 * timer: otherwise a schedule that keeps instances busy (lifetime) would see them reaped as idle.
 */
export const STEP_REAL_SECONDS = 0.5;

export interface TimeScaleChoice {
  scale: number;
  /** In words, for the summary and run.json notes. */
  reason: string;
}

/**
 * The default scale of a plan on a profile: 1 when its waits fit the budget as they are, else the
 * smallest 1-2-5 step that brings them within it (2 h of waits → 200×, 36 s), but no more than
 * keeps a step's real time, scaled, under half of the profile's shortest timer (12 h of waits on
 * `modern`, whose idle timeout is 10 min: 500×, 86 s, rather than 1,000×).
 */
export function defaultTimeScale(plan: Pick<StudyPlan, 'duration' | 'steps'>, profile: PlatformProfile): TimeScaleChoice {
  const waits = scalablePlatformSeconds(plan); // waits and open-loop send gaps
  if (waits <= DEFAULT_REAL_WAIT_BUDGET_SECONDS) {
    return { scale: 1, reason: `real time: the plan waits ${formatSeconds(waits)} in all` };
  }
  const wanted = niceCeil(waits / DEFAULT_REAL_WAIT_BUDGET_SECONDS);
  const timer = shortestTimer(plan, profile);
  const cap = timer ? Math.max(1, niceFloor((timer.seconds * 0.5) / STEP_REAL_SECONDS)) : Number.POSITIVE_INFINITY;
  if (cap < wanted && timer) {
    return {
      scale: cap,
      reason: `default for this plan: ${formatSeconds(waits)} of waits run in ${formatSeconds(waits / cap)} (not faster, so that a step's real time stays well under the ${timer.name} of ${formatSeconds(timer.seconds)})`,
    };
  }
  return { scale: wanted, reason: `default for this plan: ${formatSeconds(waits)} of waits run in ${formatSeconds(waits / wanted)}` };
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
