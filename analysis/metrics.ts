/**
 * A metric is a named value an analysis computes (the names claims refer to,
 * e.g. `coldstart.warmMedianMs`), with its 95 % interval, how both were
 * obtained, and, when it cannot be computed from this run, why not.
 *
 * `replicates` are the bootstrap replicates of the estimate when the metric has
 * them; they are not written to summary.json but let `curtain compare` build a
 * bootstrap interval for the difference between two runs.
 */
import type { LatencyPhase } from '../experiments/latency-phase';
import { percentileInterval, quantileReplicates } from './stats/bootstrap';
import { quantileInterval, quantileSorted } from './stats/quantiles';

export interface Metric {
  name: string;
  description: string;
  unit: string;
  value: number | boolean | null;
  /** 95 % interval; null for observed counts and extremes, booleans, and metrics without a value. */
  interval: [number, number] | null;
  /** How the value and interval were obtained, e.g. "median; order-statistic 95 % CI". */
  method: string;
  /** Units the estimate rests on (records, instances, hosts, …). */
  n: number;
  /** `lower`: the true value is at least `value` (e.g. a median survival the curve never reached). */
  bound?: 'lower';
  /** Why the metric has no value in this run. */
  reason?: string;
  /** For a latency: which part of the request's latency it measures (experiments/latency-phase.ts). */
  phase?: LatencyPhase;
  /**
   * For a latency on the local platform: what bounds it from below on this machine
   * (`request`: a loopback round trip; `cold-start`: a process start plus a loopback round
   * trip). A value near that floor measured the machine, not the modelled platform.
   */
  floor?: { kind: 'request' | 'cold-start'; runtime: string | null };
  replicates?: Float64Array;
}

export function notMeasurable(name: string, description: string, unit: string, reason: string): Metric {
  return { name, description, unit, value: null, interval: null, method: 'not measurable', n: 0, reason };
}

/** Median of a sample with its order-statistic interval and bootstrap replicates. */
export function medianMetric(name: string, description: string, unit: string, sorted: Float64Array, noun = 'records'): Metric {
  if (sorted.length === 0) return notMeasurable(name, description, unit, `no ${noun} to measure`);
  const ci = quantileInterval(sorted, 0.5)!;
  const coverage = ci.coverage < 0.95 ? ` (only ${(ci.coverage * 100).toFixed(0)} % coverage with n = ${sorted.length})` : '';
  return {
    name,
    description,
    unit,
    value: quantileSorted(sorted, 0.5),
    interval: [ci.lower, ci.upper],
    method: `median of ${sorted.length} ${noun}; order-statistic 95 % CI${coverage}`,
    n: sorted.length,
    replicates: quantileReplicates(sorted, 0.5),
  };
}

/** A metric whose interval comes from bootstrap replicates (percentile method). */
export function bootstrappedMetric(
  base: Omit<Metric, 'interval' | 'replicates' | 'method'> & { method: string },
  replicates: Float64Array,
): Metric {
  const ci = percentileInterval(replicates);
  return {
    ...base,
    interval: ci ? [ci.lower, ci.upper] : null,
    method: `${base.method}; ${ci ? 'bootstrap percentile 95 % CI' : 'no interval (the bootstrap was undefined too often)'}`,
    replicates,
  };
}
