/**
 * How many new instances a function starts for its waiting requests, given the
 * profile's scale-out limits. Pure, so each platform's behaviour is tested
 * directly: one instance per concurrent request (AWS), at most N per function
 * (Azure, ~10), or instances for about a fraction of the demand with the rest
 * queued (Google, about half).
 */
export interface ScaleOutInput {
  /** Requests waiting for an instance. */
  queued: number;
  /** Live instances of the current configuration, by state. */
  starting: number;
  idle: number;
  busy: number;
  maxInstancesPerFunction: number | null;
  scaleOutFraction: number;
}

export function instancesToStart(input: ScaleOutInput): number {
  const live = input.starting + input.idle + input.busy;
  // Waiting requests an instance on its way will not pick up.
  const uncovered = input.queued - input.starting - input.idle;
  if (uncovered <= 0) return 0;
  let limit = input.maxInstancesPerFunction ?? Number.POSITIVE_INFINITY;
  if (input.scaleOutFraction < 1) {
    limit = Math.min(limit, Math.ceil(input.scaleOutFraction * (input.busy + input.queued)));
  }
  return Math.max(0, Math.min(uncovered, limit - live));
}
