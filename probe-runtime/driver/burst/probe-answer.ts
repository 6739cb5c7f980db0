/**
 * Turns a platform's answer into a record outcome: a body that validates as a
 * ProbeResponse is `ok`; anything else is an `error` that names what was wrong
 * (the zod path) and keeps the start of the raw body, so no data is lost
 * silently and a broken probe is diagnosable from the records alone.
 */
import { MAX_PROBE_ANSWER_BYTES } from '../../contracts/invocation-record';
import { type ProbeResponse, ProbeResponse as ProbeResponseSchema } from '../../contracts/probe-wire';
import { errorText, truncateText, zodIssuesText } from '../errors';

/** How much of an invalid body is kept in the record's error text. */
export const RAW_BODY_KEEP_CHARS = 2000;

export type AnswerOutcome = { ok: true; response: ProbeResponse } | { ok: false; error: string };

export function classifyProbeAnswer(body: string): AnswerOutcome {
  // Every invoker's answer is bounded here, so every record line stays within MAX_RECORD_LINE_BYTES.
  const bytes = Buffer.byteLength(body);
  if (bytes > MAX_PROBE_ANSWER_BYTES) {
    return { ok: false, error: `invalid probe response: ${bytes} bytes, more than ${MAX_PROBE_ANSWER_BYTES}; raw: ${truncateText(body, RAW_BODY_KEEP_CHARS)}` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    const why = errorText(error);
    return { ok: false, error: `invalid probe response: not JSON (${why}); raw: ${truncateText(body, RAW_BODY_KEEP_CHARS)}` };
  }
  const result = ProbeResponseSchema.safeParse(parsed);
  if (result.success) return { ok: true, response: result.data };
  return {
    ok: false,
    error: `invalid probe response: ${truncateText(zodIssuesText(result.error), 500)}; raw: ${truncateText(body, RAW_BODY_KEEP_CHARS)}`,
  };
}
