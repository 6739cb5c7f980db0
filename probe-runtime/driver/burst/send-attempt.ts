/**
 * One attempt of one request: stamps the send and receive times, applies the
 * step's per-attempt timeout, and turns the invoker's outcome into a status.
 */
import type { InvocationStatus } from '../../contracts/invocation-record';
import type { ProbeRequest, ProbeResponse } from '../../contracts/probe-wire';
import type { EpochClock } from '../clock';
import { errorText } from '../errors';
import type { InvokeOutcome, Invoker } from '../invoker';
import { classifyProbeAnswer } from './probe-answer';

/** How long after its timeout an invoker that ignores the abort signal is given before the attempt ends anyway. */
const INVOKER_GRACE_MS = 2_000;

export interface AttemptResult {
  status: Exclude<InvocationStatus, 'skipped'>;
  error: string | null;
  transportStatus: number | null;
  response: ProbeResponse | null;
  sentAt: number;
  receivedAt: number;
}

export interface AttemptInput {
  invoker: Invoker;
  clock: EpochClock;
  address: string;
  freshConnection: boolean;
  timeoutMs: number;
  /** The request without its send time, which is stamped at the moment of sending. */
  request: Omit<ProbeRequest, 'sentAt'>;
  /**
   * The driver's stop signal and how long an attempt in flight may still take once it fires: after
   * `stopGraceMs` the attempt is abandoned and recorded as such (the answer is no longer awaited),
   * so a stopped driver writes its shard promptly even when requests hang. Without a grace the
   * attempt runs to its timeout.
   */
  stop?: AbortSignal;
  stopGraceMs?: number;
}

export async function sendAttempt(input: AttemptInput): Promise<AttemptResult> {
  const { clock, timeoutMs } = input;
  const controller = new AbortController();
  const startedAt = clock.now();
  let sentAt: number | null = null;
  let timer: NodeJS.Timeout | undefined;
  let settled = false;
  let giveUp: (outcome: InvokeOutcome) => void = () => undefined;
  const guardOutcome = new Promise<InvokeOutcome>((resolve) => {
    giveUp = resolve;
  });
  // One timer per attempt, armed in a microtask so that it stays out of the synchronous loop that
  // sends a burst. When it fires the invoker is told to stop; should it not, the attempt ends anyway
  // INVOKER_GRACE_MS later, so that one misbehaving transport cannot hang a whole shard.
  // Once the driver is told to stop, an attempt in flight gets stopGraceMs more, then it is abandoned.
  let abandoned = false;
  let graceTimer: NodeJS.Timeout | undefined;
  const onStop = () => {
    graceTimer = setTimeout(() => {
      abandoned = true;
      controller.abort();
      graceTimer = setTimeout(() => giveUp({ kind: 'failure', status: 'error', error: 'the invoker did not stop', transportStatus: null }), INVOKER_GRACE_MS);
    }, input.stopGraceMs);
  };
  queueMicrotask(() => {
    if (settled) return;
    timer = setTimeout(() => {
      controller.abort();
      timer = setTimeout(() => giveUp({ kind: 'failure', status: 'timeout', error: 'the invoker did not stop', transportStatus: null }), INVOKER_GRACE_MS);
    }, timeoutMs);
    if (input.stop && input.stopGraceMs !== undefined) {
      if (input.stop.aborted) onStop();
      else input.stop.addEventListener('abort', onStop, { once: true });
    }
  });
  let outcome: InvokeOutcome;
  try {
    outcome = await Promise.race([
      input.invoker.invoke({
        functionKey: input.request.target,
        address: input.address,
        freshConnection: input.freshConnection,
        signal: controller.signal,
        body: () => {
          sentAt = clock.now();
          return JSON.stringify({ ...input.request, sentAt });
        },
      }),
      guardOutcome,
    ]);
  } catch (error) {
    // The Invoker contract says invoke never rejects; a bug in one still becomes a record.
    outcome = { kind: 'failure', status: 'error', error: `invoker failed: ${errorText(error)}`, transportStatus: null };
  } finally {
    settled = true;
    clearTimeout(timer);
    clearTimeout(graceTimer);
    input.stop?.removeEventListener('abort', onStop);
  }
  const receivedAt = clock.now();
  const base = { sentAt: sentAt ?? startedAt, receivedAt };
  if (outcome.kind === 'failure' && abandoned) {
    return {
      ...base,
      status: 'error',
      error: `abandoned: the driver was stopped while this request was in flight and no answer came within ${input.stopGraceMs} ms (the request was sent and may still have run)`,
      transportStatus: null,
      response: null,
    };
  }
  if (outcome.kind === 'failure') {
    // Whatever an invoker reports after its signal fired (aborted, socket destroyed) is our timeout.
    const timedOut = controller.signal.aborted && outcome.status !== 'throttled';
    return {
      ...base,
      status: timedOut ? 'timeout' : outcome.status,
      error: timedOut ? `no answer within ${timeoutMs} ms` : outcome.error,
      transportStatus: outcome.transportStatus,
      response: null,
    };
  }
  const answer = classifyProbeAnswer(outcome.body);
  return answer.ok
    ? { ...base, status: 'ok', error: null, transportStatus: outcome.transportStatus, response: answer.response }
    : { ...base, status: 'error', error: answer.error, transportStatus: outcome.transportStatus, response: null };
}
