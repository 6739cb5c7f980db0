/**
 * Records for requests no driver recorded, so that every request the plan
 * asked for has exactly one record whatever happened:
 *   - steps the run never reached (interrupted, or start-run failed): `skipped`, never sent;
 *   - a shard whose driver died: the answers its journal kept, `skipped` for requests
 *     that certainly never left, and `error` with 0 attempts for requests that may
 *     have reached a probe (the orchestrator cannot know their answer).
 * A record a driver wrote is never replaced by a fallback.
 */
import { shardKey } from '../../probe-runtime/contracts/bucket-layout';
import { InvocationRecord, INVOCATION_RECORD_VERSION } from '../../probe-runtime/contracts/invocation-record';
import { recordsToJsonl } from '../../probe-runtime/driver/run-driver-event';
import { JSONL_CONTENT_TYPE, type ResultSink } from '../../probe-runtime/driver/sinks/result-sink';
import type { BurstStep, StudyPlan } from '../../experiments/plan-schema';
import { requestTarget, shardRequestRange } from '../../experiments/expand-schedule';

export interface FallbackReason {
  status: 'skipped' | 'error';
  error: string;
}

/** A record written by the orchestrator for a request no driver recorded. */
export function fallbackRecord(plan: StudyPlan, run: string, step: BurstStep, shard: number, request: number, reason: FallbackReason, priorSends?: number): InvocationRecord {
  return InvocationRecord.parse({
    v: INVOCATION_RECORD_VERSION,
    study: plan.study.id,
    run,
    planHash: plan.hash,
    provider: plan.provider,
    step: step.index,
    stepId: step.id,
    label: step.label,
    shard,
    request,
    target: requestTarget(step, request),
    attempts: 0,
    sentAt: null,
    receivedAt: null,
    latencyMs: null,
    status: reason.status,
    error: reason.error,
    transportStatus: null,
    response: null,
    ...(priorSends ? { priorSends } : {}),
  });
}

/** Writes the shard's records unless the shard already exists; returns whether it wrote. */
export async function writeFallbackShard(
  sink: ResultSink,
  plan: StudyPlan,
  run: string,
  step: BurstStep,
  shard: number,
  reason: FallbackReason,
): Promise<boolean> {
  const key = shardKey(plan.study.id, run, step.id, shard);
  if ((await sink.get(key)) !== null) return false;
  const { start, end } = shardRequestRange(step, shard);
  const records: InvocationRecord[] = [];
  for (let request = start; request < end; request++) records.push(fallbackRecord(plan, run, step, shard, request, reason));
  await sink.put(key, recordsToJsonl(records), JSONL_CONTENT_TYPE);
  return true;
}

export interface DeadDriverShard {
  /** The shard's records written before this driver (a shard being completed), by request; null when none. */
  existing: ReadonlyMap<number, InvocationRecord> | null;
  /** The requests the dead driver was asked to send. */
  asked: readonly number[];
  /** The final records its journal kept, by request. */
  journaled: ReadonlyMap<number, InvocationRecord>;
  /** What to record for an asked request without a journaled record. */
  fate(request: number): FallbackReason;
  /** Earlier sends by drivers that died, for the records of re-sent requests. */
  priorSends?: ReadonlyMap<number, number>;
}

/**
 * Writes (overwrites) the shard of a driver that died: its journaled answers are kept, asked
 * requests without one get their fate, and the shard's other requests keep the records they had
 * (or, never asked of any driver, are `skipped`). Returns the records written.
 */
export async function writeDeadDriverShard(sink: ResultSink, plan: StudyPlan, run: string, step: BurstStep, shard: number, dead: DeadDriverShard): Promise<InvocationRecord[]> {
  const { start, end } = shardRequestRange(step, shard);
  const asked = new Set(dead.asked);
  const records: InvocationRecord[] = [];
  for (let request = start; request < end; request++) {
    const kept = asked.has(request) ? dead.journaled.get(request) : dead.existing?.get(request);
    if (kept) records.push(kept);
    else if (asked.has(request)) records.push(fallbackRecord(plan, run, step, shard, request, dead.fate(request), dead.priorSends?.get(request)));
    else records.push(fallbackRecord(plan, run, step, shard, request, { status: 'skipped', error: 'not sent: no driver was asked to send it before the run stopped' }));
  }
  await sink.put(shardKey(plan.study.id, run, step.id, shard), recordsToJsonl(records), JSONL_CONTENT_TYPE);
  return records;
}
