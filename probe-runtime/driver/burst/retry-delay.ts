/**
 * How long the driver waits before retrying a failed attempt (only where the
 * plan's step allows retries). Throttling backs off harder: the platform said
 * it is at capacity, and retrying at once would only be refused again. Jitter
 * keeps the retries of one burst from arriving together.
 */
import type { InvocationStatus } from '../../contracts/invocation-record';

export type RetryDelay = (attempt: number, status: InvocationStatus) => number;

const MAX_DELAY_MS = 5_000;

export const defaultRetryDelay: RetryDelay = (attempt, status) => {
  const base = status === 'throttled' ? 250 : 100;
  return Math.min(MAX_DELAY_MS, base * 2 ** (attempt - 1)) + Math.random() * base;
};

/** Resolves after ms, or early when the signal fires; never rejects. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
