/**
 * How the driver reaches a probe over HTTP (Azure, Google and the local
 * platform's front door; AWS uses the Lambda Invoke API instead).
 *
 *   POST <url>   content-type: application/json   body: ProbeRequest
 *
 * The driver classifies the outcome:
 *   - 200 with a body that validates as ProbeResponse  → ok
 *   - 200 with an invalid body                         → error ("invalid probe response: <path>: ...")
 *   - 429, or 503 with a Retry-After header            → throttled
 *   - any other status                                 → error (status + first 500 characters of the body)
 *   - no complete answer within the step's timeoutMs   → timeout
 *   - connection refused / reset                       → error
 *
 * The local platform serves `POST http://127.0.0.1:<port>/invoke/<functionKey>`
 * on loopback only, and answers 429 past its account-wide concurrency limit.
 */
export const HTTP_THROTTLE_STATUSES = [429] as const;

/** Path of a function on the local platform's front door. */
export function localInvokePath(functionKey: string): string {
  return `/invoke/${encodeURIComponent(functionKey)}`;
}
