/**
 * Payload sizes a burst may ask for (`requestBytes`, `responseBytes`): the
 * driver pads each request and the probe pads its response with that many bytes,
 * for the invocation-overhead question (how latency grows with payload size).
 * Each provider's own limit is in the capability table (`maxPayloadBytes`);
 * the schema's ceiling only keeps a definition from asking for absurd sizes.
 */

/** Ceiling of the definition schema (the largest provider limit in the capability table is lower or equal). */
export const MAX_PAYLOAD_BYTES = 32 * 1024 * 1024;

/**
 * Room for the JSON around the padding: a request's fields, a response's fingerprint, timings and
 * task values. A provider's limit minus this is the largest padding the planner accepts.
 */
export const PAYLOAD_ENVELOPE_BYTES = 64 * 1024;

/** The padding itself: ASCII, so characters and bytes are the same count. */
export function paddingOf(bytes: number): string {
  return 'x'.repeat(bytes);
}
