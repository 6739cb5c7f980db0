/**
 * Errors a provider target raises that a user can act on. The CLI and the app
 * entries print them as one line, never a stack trace.
 */

/**
 * A problem reaching or using a deployed study (no credentials, no such stack,
 * a refused run id, an unreachable service). `input`: what was asked cannot be
 * done as asked (exit 1); `failed`: the operation failed (exit 3).
 */
export class TargetError extends Error {
  override name = 'TargetError';
  constructor(
    message: string,
    readonly outcome: 'input' | 'failed' = 'input',
  ) {
    super(message);
  }
}

/** A target cannot deploy a valid plan (e.g. its orchestrator would exceed a platform limit). */
export class TargetRefusedError extends Error {
  override name = 'TargetRefusedError';
}
