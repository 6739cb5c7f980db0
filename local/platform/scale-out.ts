/**
 * How many new instances a function starts for its waiting requests, given the
 * profile's scale-out limits. Pure, so each platform's behaviour is tested
 * directly: one instance per concurrent request (AWS), at most N per function
 * (Azure, ~10), or instances for about a fraction of the demand with the rest
 * queued (Google, about half).
 */
export interface ScaleOutInput {
  /** Waiting requests no idle or starting instance will serve (after those were handed out). */
  unboundQueued: number;
  /** All waiting requests. */
  queued: number;
  /** Live instances of the current configuration (starting, idle or busy). */
  live: number;
  busy: number;
  maxInstancesPerFunction: number | null;
  scaleOutFraction: number;
}

export function instancesToStart(input: ScaleOutInput): number {
  if (input.unboundQueued <= 0) return 0;
  let limit = input.maxInstancesPerFunction ?? Number.POSITIVE_INFINITY;
  if (input.scaleOutFraction < 1) {
    // Instances for about this fraction of the demand (requests running or waiting).
    limit = Math.min(limit, Math.ceil(input.scaleOutFraction * (input.busy + input.queued)));
  }
  return Math.max(0, Math.min(input.unboundQueued, limit - input.live));
}
