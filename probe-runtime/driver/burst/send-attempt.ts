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

/**
 * If an invoker ignores its abort signal, the core gives up this much later so
 * that one misbehaving transport cannot hang a whole shard.
 */
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
}

export async function sendAttempt(input: AttemptInput): Promise<AttemptResult> {
  const { clock, timeoutMs } = input;
  const controller = new AbortController();
  const startedAt = clock.now();
  let sentAt: number | null = null;
  const timeout = setTimeout(() => controller.abort(), timeoutMs);
  let guard: NodeJS.Timeout | undefined;
  const guardOutcome = new Promise<InvokeOutcome>((resolve) => {
    guard = setTimeout(
      () => resolve({ kind: 'failure', status: 'timeout', error: `no answer within ${timeoutMs} ms (the invoker did not stop)`, transportStatus: null }),
      timeoutMs + INVOKER_GRACE_MS,
    );
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
    clearTimeout(timeout);
    clearTimeout(guard);
  }
  const receivedAt = clock.now();
  const base = { sentAt: sentAt ?? startedAt, receivedAt };
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
