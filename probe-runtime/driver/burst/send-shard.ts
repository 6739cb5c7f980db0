/**
 * Sends one shard of one burst step and yields exactly one InvocationRecord per
 * request of the shard, whatever happens: failures become `error`, `throttled`
 * or `timeout` records, and requests never sent (the stop signal fired first)
 * become `skipped` records. Nothing the plan asked for goes missing.
 */
import { requestTarget, shardRequestRange } from '../../../experiments/expand-schedule';
import type { BurstShardEvent } from '../../contracts/driver-event';
import { INVOCATION_RECORD_VERSION, type InvocationRecord } from '../../contracts/invocation-record';
import { PROBE_PROTOCOL_VERSION } from '../../contracts/probe-wire';
import type { EpochClock } from '../clock';
import { errorText } from '../errors';
import type { Invoker } from '../invoker';
import { pause, type RetryDelay } from './retry-delay';
import { type AttemptResult, sendAttempt } from './send-attempt';

export interface ShardContext {
  provider: string;
  /** deployment.targets: plan function key → address. */
  targets: Readonly<Record<string, string>>;
  invoker: Invoker;
  clock: EpochClock;
  retryDelay: RetryDelay;
  /** Stops sending: requests not yet sent become `skipped`; answers in flight are still awaited (see stopGraceMs). */
  stop?: AbortSignal;
  /** Once stopped, how long answers in flight are still awaited before they are recorded as abandoned; default: to their timeout. */
  stopGraceMs?: number;
  /** Called once, just before the first request leaves. */
  onSending?(): void;
  /** Called with each request's final record as soon as it is known (before the shard is complete). */
  onSettled?(record: InvocationRecord): void;
}

export interface ShardOutcome {
  records: InvocationRecord[];
  attempts: number;
  startedAt: number;
  /** The barrier sent to the probes (epoch ms), null when the step has none. */
  barrierAt: number | null;
}

/** The barrier is shared by every shard of a burst: anchored to the step's start when the orchestrator gives it. */
export function barrierTime(event: BurstShardEvent, driverStartedAt: number): number | null {
  if (event.step.barrierMs <= 0) return null;
  const anchor = event.stepStartedAt !== undefined ? Date.parse(event.stepStartedAt) : driverStartedAt;
  return anchor + event.step.barrierMs;
}

export async function sendBurstShard(event: BurstShardEvent, ctx: ShardContext): Promise<ShardOutcome> {
  const { step } = event;
  const startedAt = ctx.clock.now();
  const barrierAt = barrierTime(event, startedAt);
  const { start, end } = shardRequestRange(step, event.shard);
  // The shard's requests, or only those a resumed run asks for (event.only).
  const requestAt = event.only ? event.only.map((o) => o.request) : Array.from({ length: Math.max(0, end - start) }, (_, i) => start + i);
  const priorSends = new Map((event.only ?? []).filter((o) => o.priorSends > 0).map((o) => [o.request, o.priorSends]));
  const count = requestAt.length;
  const results: ({ attempts: number; last: AttemptResult } | undefined)[] = new Array(count);
  const addressOf = (request: number) => ctx.targets[requestTarget(step, request)]!;

  if (ctx.invoker.prepare) {
    const addresses = [...new Set(requestAt.map(addressOf))];
    // The first wave: the requests sent at once before any answer frees a slot.
    const freshConnections = new Map<string, number>();
    if (step.freshConnection) {
      for (let i = 0; i < Math.min(step.shardConcurrency, count); i++) {
        const address = addressOf(requestAt[i]!);
        freshConnections.set(address, (freshConnections.get(address) ?? 0) + 1);
      }
    }
    // A failing prepare (say, a token endpoint down) surfaces again on each attempt, where it becomes a record.
    await ctx.invoker.prepare(addresses, { freshConnections }).catch(() => undefined);
  }

  const recordOf = (i: number): InvocationRecord => buildRecord(event, ctx, requestAt[i]!, results[i], priorSends.get(requestAt[i]!));
  let attempts = 0;
  const sendRequest = async (i: number): Promise<void> => {
    const request = requestAt[i]!;
    const target = requestTarget(step, request);
    for (let attempt = 1; ; attempt++) {
      attempts += 1;
      const last = await sendAttempt({
        invoker: ctx.invoker,
        clock: ctx.clock,
        address: addressOf(request),
        freshConnection: step.freshConnection,
        timeoutMs: step.timeoutMs,
        request: { v: PROBE_PROTOCOL_VERSION, study: event.study, run: event.run, step: step.index, request, attempt, target, task: step.task, barrierAt },
        stop: ctx.stop,
        stopGraceMs: ctx.stopGraceMs,
      });
      results[i] = { attempts: attempt, last };
      if (last.status === 'ok' || attempt > step.retries || ctx.stop?.aborted) return settle(i);
      await pause(ctx.retryDelay(attempt, last.status), ctx.stop);
      if (ctx.stop?.aborted) return settle(i);
    }
  };
  const settle = (i: number): void => ctx.onSettled?.(recordOf(i));

  // At most shardConcurrency requests in flight. Workers start synchronously, so
  // the first wave of sends leaves in one tight loop (the send spread the bench measures).
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count && !ctx.stop?.aborted) await sendRequest(next++);
  };
  if (count > 0 && !ctx.stop?.aborted) ctx.onSending?.();
  try {
    await Promise.all(Array.from({ length: Math.min(step.shardConcurrency, count) }, worker));
  } finally {
    ctx.invoker.release?.();
  }

  const records = Array.from({ length: count }, (_, i) => recordOf(i));
  return { records, attempts, startedAt, barrierAt };
}

/** The record of one request: its last attempt, or `skipped` when it was never sent. */
function buildRecord(
  event: BurstShardEvent,
  ctx: ShardContext,
  request: number,
  done: { attempts: number; last: AttemptResult } | undefined,
  priorSends: number | undefined,
): InvocationRecord {
  const { step } = event;
  const common = {
    v: INVOCATION_RECORD_VERSION,
    study: event.study,
    run: event.run,
    planHash: event.planHash,
    provider: ctx.provider,
    step: step.index,
    stepId: step.id,
    label: step.label,
    shard: event.shard,
    request,
    target: requestTarget(step, request),
  } as const;
  const resent = priorSends !== undefined ? { priorSends } : {};
  if (!done) {
    return {
      ...common,
      attempts: 0,
      sentAt: null,
      receivedAt: null,
      latencyMs: null,
      status: 'skipped',
      error: `not sent: the driver was stopped before sending it (${stopReason(ctx.stop)})`,
      transportStatus: null,
      response: null,
      ...resent,
    };
  }
  const { last } = done;
  return {
    ...common,
    attempts: done.attempts,
    sentAt: last.sentAt,
    receivedAt: last.receivedAt,
    latencyMs: last.receivedAt - last.sentAt,
    status: last.status,
    error: last.error,
    transportStatus: last.transportStatus,
    response: last.response,
    ...resent,
  };
}

function stopReason(signal: AbortSignal | undefined): string {
  const reason: unknown = signal?.reason;
  return reason === undefined || reason === '' ? 'interrupted' : errorText(reason);
}
