/**
 * A request's latency split into the phases the probe measures
 * (experiments/latency-phase.ts): the driver's round trip, and within it the probe's
 * handler time, barrier wait and task. One-clock phases are computed from durations
 * read on a single clock each; `arrival` and `response` subtract a driver time from a
 * probe time and are given only where the run says both shared one machine clock.
 */
import { type LatencyPhase, PHASE_DEFINITIONS } from '../../experiments/latency-phase';
import type { InvocationRecord } from '../../probe-runtime/contracts/invocation-record';

type Timing = NonNullable<InvocationRecord['response']>['timing'];

/** The probe's barrier wait: stamped since barrierStartedAt exists, else what is left of the handler time. */
export function barrierWaitMs(response: NonNullable<InvocationRecord['response']>): number {
  const t: Timing = response.timing;
  if (t.barrierReleasedAt === null) return 0;
  if (t.barrierStartedAt !== undefined && t.barrierStartedAt !== null) return Math.max(0, t.barrierReleasedAt - t.barrierStartedAt);
  // overheadMs.total is the handler time minus barrier wait and task (probe.ts), so the wait is the rest.
  return Math.max(0, t.respondedAt - t.receivedAt - (t.taskEndedAt - t.taskStartedAt) - response.overheadMs.total);
}

/**
 * The value of one phase for an answered record, ms; null when the record has no
 * response or the phase crosses clocks that the run does not share.
 */
export function phaseMs(record: InvocationRecord, phase: LatencyPhase, sharedClock: boolean): number | null {
  const response = record.response;
  if (record.status !== 'ok' || !response || record.latencyMs === null) return null;
  const t = response.timing;
  const handler = t.respondedAt - t.receivedAt;
  switch (phase) {
    case 'round-trip':
      return record.latencyMs;
    case 'platform':
      return Math.max(0, record.latencyMs - handler);
    case 'without-barrier':
      return Math.max(0, record.latencyMs - barrierWaitMs(response));
    case 'barrier-wait':
      return barrierWaitMs(response);
    case 'task':
      return t.taskEndedAt - t.taskStartedAt;
    case 'handler':
      return handler;
    case 'arrival':
      return sharedClock && record.sentAt !== null ? t.receivedAt - record.sentAt : null;
    case 'response':
      return sharedClock && record.receivedAt !== null ? record.receivedAt - t.respondedAt : null;
  }
}

/** One line for the report: what the phase is and which clocks it reads. */
export function describePhase(phase: LatencyPhase): string {
  const d = PHASE_DEFINITIONS[phase];
  return `${d.definition}${d.clocks === 'two clocks' ? ' (subtracts a driver time from a probe time: valid only where both share one clock)' : ''}`;
}
