/**
 * The bound on what a driver keeps of a probe's answer (issue 14: every record line stays within
 * MAX_RECORD_LINE_BYTES) holds with payload-size steps (issue 16): the padding a step asked the probe
 * for does not count, because the record keeps only its size; the rest of the answer still does.
 */
import { MAX_PROBE_ANSWER_BYTES, MAX_PROBE_ANSWER_WIRE_BYTES } from '../../../probe-runtime/contracts/invocation-record';
import { MAX_PAYLOAD_BYTES } from '../../../experiments/payload';
import { classifyProbeAnswer } from '../../../probe-runtime/driver/burst/probe-answer';
import { probeRequest } from '../probe/helpers';
import { fakeProbeResponse } from './support/probe-fixture';

const answer = (extra: Record<string, unknown>) => JSON.stringify({ ...fakeProbeResponse(probeRequest() as never), ...extra });

test('an answer padded to 4 MiB, as a payload sweep asks, is kept (the padding is not what the bound is about)', () => {
  const body = answer({ payload: 'x'.repeat(4 * 1024 * 1024) });
  expect(Buffer.byteLength(body)).toBeGreaterThan(MAX_PROBE_ANSWER_BYTES);
  const outcome = classifyProbeAnswer(body);
  expect(outcome.ok).toBe(true);
});

test('an answer over the bound besides its padding is an error that says so', () => {
  const outcome = classifyProbeAnswer(answer({ payload: 'x'.repeat(1024), runtimeVersion: 'y'.repeat(MAX_PROBE_ANSWER_BYTES) }));
  expect(outcome).toMatchObject({ ok: false, error: expect.stringMatching(/^invalid probe response: \d+ bytes besides its payload padding, more than 1048576; raw: /) });
});

test('an answer larger than any padding allows is refused before it is parsed', () => {
  expect(MAX_PROBE_ANSWER_WIRE_BYTES).toBe(MAX_PROBE_ANSWER_BYTES + MAX_PAYLOAD_BYTES);
  const outcome = classifyProbeAnswer(`{"payload":"${'x'.repeat(MAX_PROBE_ANSWER_WIRE_BYTES)}"}`);
  expect(outcome).toMatchObject({ ok: false, error: expect.stringMatching(/more than \d+ with any payload padding; raw: /) });
});
