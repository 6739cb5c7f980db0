/**
 * Arrival process → send times → bounded plan chunks.
 *
 * Deterministic (seeded generators only), so the plan and its hash do not
 * depend on when or where it is compiled. Times are whole milliseconds from the
 * start of the arrival process. The process is cut into chunks of `stepSeconds`;
 * each chunk becomes one burst step whose requests carry their offsets from the
 * chunk's start, and the planner anchors each chunk's start to the run's clock
 * (experiments/expand-schedule.ts), so chunks neither drift nor overlap.
 */
import { seededRandom } from '../seeded-random';
import type { Arrival, TraceArrival } from './arrival-schema';

export interface ArrivalChunk {
  /** Start of the chunk, seconds after the start of the arrival process. */
  startSeconds: number;
  /** Send offsets from the chunk's start, ms, non-decreasing; empty when nothing arrives in the chunk. */
  offsetsMs: number[];
}

export interface CompiledArrival {
  /** Length of the arrival process, seconds (requests all fall before it). */
  durationSeconds: number;
  requests: number;
  chunks: ArrivalChunk[];
}

/** Send times of an arrival process, ms from its start, sorted. */
export function arrivalTimesMs(arrival: Arrival): number[] {
  switch (arrival.kind) {
    case 'fixed-rate': {
      const gapMs = 1000 / arrival.perSecond;
      const endMs = arrival.durationSeconds * 1000;
      const times: number[] = [];
      for (let i = 0; i * gapMs < endMs; i++) times.push(Math.floor(i * gapMs));
      return times;
    }
    case 'poisson': {
      const random = seededRandom(arrival.seed);
      const endMs = arrival.durationSeconds * 1000;
      const times: number[] = [];
      // Exponential gaps (inverse transform); 1 - U is in (0, 1], so the log is finite.
      for (let t = -Math.log(1 - random()) * (1000 / arrival.perSecond); t < endMs; t += -Math.log(1 - random()) * (1000 / arrival.perSecond)) {
        times.push(Math.floor(t));
      }
      return times;
    }
    case 'trace':
      return traceTimesMs(arrival);
  }
}

/** The counts of the slice a trace arrival replays. */
export function traceSlice(arrival: TraceArrival): number[] {
  if (!arrival.perMinute) throw new Error('the trace has not been read yet (perMinute is missing)');
  const end = arrival.minutes === undefined ? arrival.perMinute.length : arrival.fromMinute + arrival.minutes;
  return arrival.perMinute.slice(arrival.fromMinute, end);
}

function traceTimesMs(arrival: TraceArrival): number[] {
  const random = seededRandom(arrival.seed);
  const times: number[] = [];
  traceSlice(arrival).forEach((count, minute) => {
    const scaled = count * arrival.scale;
    // Stochastic rounding keeps the expected total equal to the scaled total.
    const n = Math.floor(scaled) + (random() < scaled - Math.floor(scaled) ? 1 : 0);
    const inMinute = Array.from({ length: n }, () => Math.floor(random() * 60_000)).sort((a, b) => a - b);
    for (const t of inMinute) times.push(minute * 60_000 + t);
  });
  return times;
}

export function arrivalDurationSeconds(arrival: Arrival): number {
  return arrival.kind === 'trace' ? traceSlice(arrival).length * 60 : arrival.durationSeconds;
}

export function compileArrival(arrival: Arrival): CompiledArrival {
  const times = arrivalTimesMs(arrival);
  const durationSeconds = arrivalDurationSeconds(arrival);
  const chunkMs = arrival.stepSeconds * 1000;
  const chunks: ArrivalChunk[] = [];
  for (let start = 0; start < durationSeconds * 1000; start += chunkMs) chunks.push({ startSeconds: start / 1000, offsetsMs: [] });
  for (const t of times) {
    const k = Math.floor(t / chunkMs);
    chunks[k]!.offsetsMs.push(t - k * chunkMs);
  }
  return { durationSeconds, requests: times.length, chunks };
}
