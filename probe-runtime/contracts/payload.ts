/**
 * Bounds of payload sizes (`requestBytes`, `responseBytes`: experiments/payload.ts), here because the
 * driver bounds what it reads from a probe with them (contracts are the bottom layer).
 */

/** Ceiling of the definition schema (the largest provider limit in the capability table is lower or equal). */
export const MAX_PAYLOAD_BYTES = 32 * 1024 * 1024;

/**
 * Room for the JSON around the padding: a request's fields, a response's fingerprint, timings and
 * task values. A provider's limit minus this is the largest padding the planner accepts.
 */
export const PAYLOAD_ENVELOPE_BYTES = 64 * 1024;
