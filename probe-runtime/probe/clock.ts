/**
 * Timestamps for the probe: epoch milliseconds with sub-millisecond fractions
 * from the monotonic clock, anchored to the epoch once at process start
 * (performance.timeOrigin). Durations computed from them are immune to
 * wall-clock steps (NTP), which matters for barrier alignment and latencies.
 */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Round to microseconds: the response carries no false precision and stays compact. */
export function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
