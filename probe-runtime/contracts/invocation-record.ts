/**
 * Contract 4: one JSONL line per request the plan asked for, failures included.
 *
 * Versioned (`v`): analysis reads every version it knows and reports lines of
 * an unknown version as malformed rather than guessing. Every field is
 * documented in docs/results-schema.md; the JSON Schema is exported to
 * docs/schemas/invocation-record.schema.json.
 */
import { z } from 'zod';
import { ProbeResponse } from './probe-wire';

export const INVOCATION_RECORD_VERSION = 1;

/** The largest probe answer a driver keeps: a probe answers a few KB; a larger answer is recorded as an error. */
export const MAX_PROBE_ANSWER_BYTES = 1024 * 1024;

/**
 * Bound of one JSONL record line: an answer of MAX_PROBE_ANSWER_BYTES plus the record's own fields
 * and error text, with room to spare. Readers refuse longer lines, and a shard longer than its
 * planned requests times this bound, without reading it.
 */
export const MAX_RECORD_LINE_BYTES = 2 * MAX_PROBE_ANSWER_BYTES;

/**
 * - ok: the probe answered with a valid response;
 * - error: the platform or the probe failed (crash, 5xx, invalid response, ...);
 * - throttled: the platform refused for capacity (429, TooManyRequestsException, ...);
 * - timeout: no answer within the step's timeout;
 * - skipped: never sent, because sending it would exceed the plan's invocation cap
 *   or the run was interrupted first (the record still exists so nothing planned goes missing).
 */
export const InvocationStatus = z.enum(['ok', 'error', 'throttled', 'timeout', 'skipped']);
export type InvocationStatus = z.output<typeof InvocationStatus>;

export const InvocationRecord = z.strictObject({
  v: z.literal(INVOCATION_RECORD_VERSION),
  study: z.string().min(1),
  run: z.string().min(1),
  planHash: z.string().regex(/^[0-9a-f]{64}$/),
  provider: z.string().min(1),
  /** Plan step index and id (e.g. `0007-burst-cold`). */
  step: z.number().int().min(0),
  stepId: z.string().min(1),
  /** Burst label from the plan (e.g. `cold`, `warm`, `after-idle`); null when the step has none. */
  label: z.string().nullable(),
  shard: z.number().int().min(0),
  /** Request index within the step. */
  request: z.number().int().min(0),
  /** Plan function key the request was addressed to. */
  target: z.string().min(1),
  /**
   * Number of attempts made (1 = no retry); the fields below describe the last attempt. 0 with
   * status `skipped`: never sent. 0 with status `error`: written by the orchestrator for a request
   * whose driver died without recording it, so the request may have reached a probe.
   */
  attempts: z.number().int().min(0),
  /** Driver send/receive times, epoch ms from a monotonic clock anchored to the epoch; null when skipped. */
  sentAt: z.number().nullable(),
  receivedAt: z.number().nullable(),
  /** receivedAt - sentAt of the last attempt. */
  latencyMs: z.number().nullable(),
  status: InvocationStatus,
  /** Error text for every status but ok. */
  error: z.string().nullable(),
  /** Transport status where there is one (HTTP status, Lambda StatusCode). */
  transportStatus: z.number().int().nullable(),
  response: ProbeResponse.nullable(),
  /**
   * Present when the request was sent again after drivers that died having begun to send its shard
   * (`curtain run --resend`, `curtain resume --resend`): how many such earlier sends there were. The
   * request may have reached a probe that many times more; run.json's `shardSends` lists them.
   */
  priorSends: z.number().int().min(1).optional(),
});
export type InvocationRecord = z.output<typeof InvocationRecord>;
