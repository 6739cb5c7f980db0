/**
 * Records for shards the driver never wrote, so that every request the plan
 * asked for has exactly one record whatever happened:
 *   - steps the run never reached (interrupted): `skipped`, never sent;
 *   - a shard whose driver process died on every attempt: `error`, since the
 *     orchestrator cannot know which of its requests reached a probe.
 * A shard the driver did write is never touched.
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
  for (let request = start; request < end; request++) {
    records.push(
      InvocationRecord.parse({
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
      }),
    );
  }
  await sink.put(key, recordsToJsonl(records), JSONL_CONTENT_TYPE);
  return true;
}
