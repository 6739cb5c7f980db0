/**
 * Payload sizes a burst may ask for (`requestBytes`, `responseBytes`): the
 * driver pads each request and the probe pads its response with that many bytes,
 * for the invocation-overhead question (how latency grows with payload size).
 * Each provider's own limit is in the capability table (`maxPayloadBytes`);
 * the schema's ceiling only keeps a definition from asking for absurd sizes.
 */

// The bounds live with the contracts: the driver bounds what it reads from a probe with them.
export { MAX_PAYLOAD_BYTES, PAYLOAD_ENVELOPE_BYTES } from '../probe-runtime/contracts/payload';

/** The padding itself: ASCII, so characters and bytes are the same count. */
export function paddingOf(bytes: number): string {
  return 'x'.repeat(bytes);
}
