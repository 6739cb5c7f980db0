/**
 * Waits anchored to the run's start on the local platform (plan wait steps with
 * `untilSeconds`, probe-runtime/contracts/anchored-waits.ts): the wait ends at
 * the run's start + untilSeconds of platform time, i.e. untilSeconds divided by
 * the time scale in real time, or at once when that moment has passed. Kept
 * apart from the walker's plain waits, whose scaling is the time scale's concern.
 */
import type { TimeScale } from '../time-scale';

/** The run's start as the driver's start-run reported it (run.json startedAt), epoch ms; null if it did not. */
export function runStartedAtMs(startRunSummary: unknown): number | null {
  const startedAt = (startRunSummary as { startedAt?: unknown } | null)?.startedAt;
  const ms = typeof startedAt === 'string' ? Date.parse(startedAt) : Number.NaN;
  return Number.isFinite(ms) ? ms : null;
}

/** Real milliseconds still to wait, from `nowMs`, for an anchored wait of a run that started at `runStartMs`. */
export function anchoredWaitRealMs(untilSeconds: number, runStartMs: number, nowMs: number, timeScale: TimeScale): number {
  return Math.max(0, runStartMs + timeScale.realMs(untilSeconds * 1000) - nowMs);
}
