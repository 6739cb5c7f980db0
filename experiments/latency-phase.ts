/**
 * Which part of a request's latency a latency metric (and a claim about it) measures.
 *
 * A request crosses two clocks: the driver stamps its send and receive, the probe
 * stamps its own receive, barrier release, task start and end, and its response.
 * Phases that are a difference of two readings of one clock (or a sum and difference
 * of such durations) are valid on every platform; `arrival` and `response` subtract a
 * driver reading from a probe reading and are valid only where both run on one
 * machine clock (the local platform). The analysis refuses them elsewhere.
 *
 * The definitions live here, beside the study definition that may choose one
 * (`claims[].phase`), and the analysis computes them (analysis/latency/phases.ts).
 */
import { z } from 'zod';

export const LATENCY_PHASES = ['platform', 'round-trip', 'without-barrier', 'arrival', 'barrier-wait', 'task', 'handler', 'response'] as const;
export const LatencyPhase = z.enum(LATENCY_PHASES);
export type LatencyPhase = z.output<typeof LatencyPhase>;

/** The phase latency metrics measure unless a claim asks for another: the platform's part of the round trip. */
export const DEFAULT_LATENCY_PHASE: LatencyPhase = 'platform';

export interface PhaseDefinition {
  /** How the phase is computed, in words (docs and the report). */
  definition: string;
  /** `one clock`: durations read from one clock each; `two clocks`: a driver time subtracted from a probe time. */
  clocks: 'one clock' | 'two clocks';
}

export const PHASE_DEFINITIONS: Record<LatencyPhase, PhaseDefinition> = {
  platform: {
    definition: "round trip minus the probe's handler time (receive to respond): the way there and back, queueing, and a cold instance's start; what the platform adds",
    clocks: 'one clock',
  },
  'round-trip': { definition: "driver send to driver receive: everything, as the paper's driver measured it", clocks: 'one clock' },
  'without-barrier': { definition: "round trip minus the probe's barrier wait", clocks: 'one clock' },
  arrival: { definition: "driver send to the probe's receive: the way there, including a cold instance's start", clocks: 'two clocks' },
  'barrier-wait': { definition: 'time the probe waited for the burst\'s barrier (0 without one)', clocks: 'one clock' },
  task: { definition: "the probe's task, start to end", clocks: 'one clock' },
  handler: { definition: "the probe's receive to its response: fingerprint, barrier wait, task and bookkeeping", clocks: 'one clock' },
  response: { definition: "the probe's response to the driver's receive: the way back", clocks: 'two clocks' },
};

/**
 * The metrics of each analysis kind that are latencies and so take a phase. A claim
 * may name a phase only for these (StudyDefinition checks it); the analysis computes
 * the phase a claim asks for under `phasedMetricName`.
 */
// Keyed by analysis kind as a plain string: experiments/schema.ts imports this module, so importing
// its AnalysisKind here would be a cycle (the layer rules forbid one).
export const PHASED_METRICS: Readonly<Record<string, RegExp>> = {
  coldstart: /^coldstart\.[A-Za-z]+(MedianMs|PenaltyMs)(\.[A-Za-z0-9-]+)*$/,
};

export function isPhasedMetric(kind: string, metric: string): boolean {
  return PHASED_METRICS[kind]?.test(metric) ?? false;
}

/** The name under which a phase of a latency metric is reported: the plain name for the default phase, else `name@phase`. */
export function phasedMetricName(metric: string, phase: LatencyPhase | undefined): string {
  return phase === undefined || phase === DEFAULT_LATENCY_PHASE ? metric : `${metric}@${phase}`;
}
