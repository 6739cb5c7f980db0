/**
 * The driver's clock: epoch milliseconds (with sub-millisecond fractions) read
 * from the monotonic high-resolution timer, anchored to the epoch once at
 * process start (`performance.timeOrigin`). Latencies computed from two
 * readings are immune to wall-clock steps (NTP slews, leap smearing), and the
 * values stay comparable with the probes' timestamps, which use the same anchor.
 */
export interface EpochClock {
  /** Epoch ms, monotonic within the process. */
  now(): number;
}

export const monotonicEpochClock: EpochClock = {
  now: () => performance.timeOrigin + performance.now(),
};

/** ISO 8601 of an epoch-ms reading, for manifests (millisecond precision). */
export function isoFromEpochMs(ms: number): string {
  return new Date(Math.floor(ms)).toISOString();
}
