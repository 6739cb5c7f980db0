/**
 * The barrier: concurrently launched instances start their task at the same
 * moment (the paper busy-waited until an absolute time). The probe sleeps until
 * shortly before the barrier and busy-waits only the last BARRIER_SPIN_MS: the
 * release is as precise as a pure spin, but a hundred local instances waiting
 * ten seconds on two cores do not starve each other (which would make the
 * release itself late). The wait is capped so a bogus barrier far in the future
 * cannot hold the instance past its timeout.
 */
import { nowMs } from '../clock';
import { MAX_TASK_MS } from '../validation/probe-request';

export const BARRIER_SPIN_MS = 20;
export const MAX_BARRIER_WAIT_MS = MAX_TASK_MS;

export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Wait for `barrierAt` (epoch ms); returns the release time, or null without a barrier. */
export async function waitForBarrier(barrierAt: number | null, maxWaitMs = MAX_BARRIER_WAIT_MS): Promise<number | null> {
  if (barrierAt === null) return null;
  const deadline = Math.min(barrierAt, nowMs() + maxWaitMs);
  const sleepMs = deadline - nowMs() - BARRIER_SPIN_MS;
  if (sleepMs > 0) await delay(sleepMs);
  while (nowMs() < deadline) {
    // busy-wait: a timer would wake up to a few ms late
  }
  return nowMs();
}
