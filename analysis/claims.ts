/**
 * Verdicts for the claims a run checks, each in one category (docs/analysis.md "Verdicts"):
 *
 * - `not measurable here`: the run could not compute the metric;
 * - `by construction`: on the local platform, a profile knob sets the metric's value
 *   directly (run.json `local.constructed`), so the run can only give back what the knob put in;
 * - `insufficient evidence`: the value rests on fewer units than the claim's `minEvidence`;
 * - `machine-limited`: on the local platform, a latency within MACHINE_FLOOR_MARGIN times this
 *   machine's own floor (no-op requests through the platform without the latency its profile
 *   models, measured in the same run): it measured the machine, not the modelled platform;
 * - `consistent` / `differs`: on measured behaviour. Consistent when the run's 95 % interval
 *   (or, without one, its value) meets the expectation: overlaps the approx band or range,
 *   reaches the at-least/at-most bound, equals the boolean. An interval that straddles the
 *   bound is consistent: the run cannot reject the claim.
 *
 * Latency verdicts of a local run carry a flag with the machine's load during the run.
 */
import { phasedMetricName } from '../experiments/latency-phase';
import type { Claim, Expectation } from '../experiments/schema';
import { fmt } from './format';
import type { Metric } from './metrics';
import type { PlatformInfo } from './run/platform';
import { CLOUD_PROVIDER_IDS } from '../probe-runtime/contracts/providers';

export const VERDICTS = ['consistent', 'differs', 'by construction', 'machine-limited', 'insufficient evidence', 'not measurable here'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** A latency below this many times the machine's floor is machine-limited. */
export const MACHINE_FLOOR_MARGIN = 2;
/** Load average per core above which latency verdicts are flagged. */
export const LOADED_PER_CORE = 1;

export interface ClaimResult {
  claim: Claim;
  metric: Metric | null;
  verdict: Verdict;
  /** One sentence: why this verdict. */
  reason: string;
  /** What comparing the value with the expectation alone says; null when that comparison is impossible. */
  comparison: 'consistent' | 'differs' | null;
  /** Conditions to weigh with the verdict (e.g. the machine's load during a latency measurement). */
  flags: string[];
}

export interface ClaimsOutcome {
  checked: ClaimResult[];
  /** Claims about platforms this run did not measure. */
  otherPlatforms: Claim[];
  /** Why no claims were checked at all, when that is the case. */
  note: string | null;
}

export function evaluateClaims(claims: readonly Claim[], metrics: ReadonlyMap<string, Metric>, platform: PlatformInfo): ClaimsOutcome {
  if (!platform.modelled) {
    return {
      checked: [],
      otherPlatforms: [...claims],
      note: platform.twin
        ? `this run was made by the ${platform.twin} offline twin, whose probes ran on this machine, not on ${platform.provider}: its latencies, placement and lifetimes are the emulation's, so no published claim applies (docs/twins.md)`
        : platform.emulated
        ? `the local profile ${platform.profile ? `"${platform.profile}"` : '(unknown: run.json is missing)'} models none of ${CLOUD_PROVIDER_IDS.join(', ')}, so no published claim applies`
        : null,
    };
  }
  const checked = claims
    .filter((c) => c.provider === platform.modelled)
    .map((claim) => categorize(claim, metrics.get(phasedMetricName(claim.metric, claim.phase)) ?? null, platform));
  return { checked, otherPlatforms: claims.filter((c) => c.provider !== platform.modelled), note: null };
}

/** The verdict of one claim, in the order of the categories above. */
export function categorize(claim: Claim, metric: Metric | null, platform: PlatformInfo): ClaimResult {
  const compared = judge(claim, metric);
  if (compared.verdict === 'not measurable here') return compared;
  const flags = loadFlags(metric!, platform);
  const measured = `the comparison alone: ${compared.verdict} (${compared.reason})`;
  const shortOf = evidenceShortfall(claim, metric!);
  const constructed = platform.emulated ? platform.constructed.get(claim.metric) : undefined;
  if (constructed) {
    return {
      ...compared,
      verdict: 'by construction',
      reason: `the ${platform.profile} profile sets this value directly (${constructed.knob} = ${constructed.value}), so the run gives back what the knob put in; ${measured}${shortOf ? `; also ${shortOf}` : ''}`,
      flags,
    };
  }
  if (shortOf) return { ...compared, verdict: 'insufficient evidence', reason: `${shortOf}; ${measured}`, flags };
  const floor = machineFloor(metric!, platform);
  if (floor && typeof metric!.value === 'number' && metric!.value <= MACHINE_FLOOR_MARGIN * floor.ms) {
    return {
      ...compared,
      verdict: 'machine-limited',
      reason: `${fmt(metric!.value)} ms is within ${MACHINE_FLOOR_MARGIN}× this machine's floor of ${fmt(floor.ms)} ms (${floor.what}, measured in this run): it measures the machine, not the modelled platform; ${measured}`,
      flags,
    };
  }
  return { ...compared, flags };
}

/** Compares a metric's value with a claim's expectation (no category beyond consistent/differs). */
export function judge(claim: Claim, metric: Metric | null): ClaimResult {
  const result = (verdict: Verdict, reason: string, comparison: ClaimResult['comparison']): ClaimResult => ({ claim, metric, verdict, reason, comparison, flags: [] });
  if (!metric) return result('not measurable here', `this analysis computes no metric "${phasedMetricName(claim.metric, claim.phase)}"`, null);
  if (metric.value === null) return result('not measurable here', metric.reason ?? 'no value', null);
  const e = claim.expected;
  if (e.kind === 'boolean') {
    if (typeof metric.value !== 'boolean') return result('not measurable here', 'the metric is not a yes/no answer', null);
    const ok = metric.value === e.value;
    return result(ok ? 'consistent' : 'differs', `measured ${metric.value ? 'yes' : 'no'}, expected ${e.value ? 'yes' : 'no'}`, ok ? 'consistent' : 'differs');
  }
  if (typeof metric.value !== 'number') return result('not measurable here', 'the metric is not a number', null);
  const [low, high] = metric.interval ?? [metric.value, metric.value];
  // A lower bound (e.g. a median survival beyond the end of the study) is consistent with anything above it.
  const upper = metric.bound === 'lower' ? Number.POSITIVE_INFINITY : high;
  const band = expectedBand(e);
  const consistent = low <= band[1] && upper >= band[0];
  const measured = metric.bound === 'lower' ? `at least ${fmt(metric.value)}` : metric.interval ? `${fmt(low)}–${fmt(high)} (95 % CI)` : fmt(metric.value);
  if (metric.bound === 'lower' && !consistent) return result('differs', `measured ${measured}, above the expected ${describeExpectation(e)}`, 'differs');
  if (metric.bound === 'lower' && low < band[0]) {
    return result('not measurable here', `the run only shows the value is at least ${fmt(metric.value)} (the study ended first); expected ${describeExpectation(e)}`, null);
  }
  const verdict = consistent ? 'consistent' : 'differs';
  return result(verdict, `measured ${measured}, expected ${describeExpectation(e)}`, verdict);
}

function evidenceShortfall(claim: Claim, metric: Metric): string | null {
  if (claim.minEvidence === undefined || metric.n >= claim.minEvidence) return null;
  return `the value rests on ${metric.n} unit(s) (${metric.method}); the claim needs at least ${claim.minEvidence}`;
}

/** The machine's floor under a latency metric, from the run's own measurement; null when it does not apply or is unknown. */
export function machineFloor(metric: Metric, platform: PlatformInfo): { ms: number; what: string } | null {
  const machine = platform.machine;
  if (!platform.emulated || !machine?.floor || !metric.floor) return null;
  const concurrently = `${machine.floor.concurrency} at once, as the run's widest burst`;
  if (metric.floor.kind === 'request') return { ms: machine.floor.warmMs, what: `no-op requests to warm instances of this platform without the latency its profile models, ${concurrently}` };
  const starts = Object.entries(machine.floor.coldStartMs).filter(([runtime]) => metric.floor!.runtime === null || runtime === metric.floor!.runtime);
  if (starts.length === 0) return null;
  // Pooled over runtimes: the fastest start is what the pooled median cannot go below.
  const [runtime, start] = starts.reduce((a, b) => (b[1] < a[1] ? b : a));
  return { ms: start, what: `no-op requests that start fresh ${runtime} instances of this platform without the latency its profile models, ${concurrently}` };
}

function loadFlags(metric: Metric, platform: PlatformInfo): string[] {
  const machine = platform.machine;
  if (!platform.emulated || !machine || !metric.floor) return [];
  const { median, max } = machine.load.loadAverage;
  if (median / machine.cpus <= LOADED_PER_CORE) return [];
  const busy = machine.load.busyFraction === null ? '' : `, cores ${Math.round(machine.load.busyFraction * 100)} % busy`;
  return [`measured under load: load average ${fmt(median)} (max ${fmt(max)}) on ${machine.cpus} cores${busy}; latencies are inflated`];
}

/** The values an expectation accepts, as a closed interval. */
export function expectedBand(e: Exclude<Expectation, { kind: 'boolean' }>): [number, number] {
  switch (e.kind) {
    case 'approx': {
      const spread = Math.abs(e.value) * e.tolerance;
      return [e.value - spread, e.value + spread];
    }
    case 'at-most':
      return [Number.NEGATIVE_INFINITY, e.value];
    case 'at-least':
      return [e.value, Number.POSITIVE_INFINITY];
    case 'range':
      return [e.min, e.max];
  }
}

export function describeExpectation(e: Expectation): string {
  switch (e.kind) {
    case 'approx':
      return `≈ ${fmt(e.value)} ${e.unit} (±${Math.round(e.tolerance * 100)} %)`;
    case 'at-most':
      return `≤ ${fmt(e.value)} ${e.unit}`;
    case 'at-least':
      return `≥ ${fmt(e.value)} ${e.unit}`;
    case 'range':
      return `${fmt(e.min)}–${fmt(e.max)} ${e.unit}`;
    case 'boolean':
      return e.value ? 'yes' : 'no';
  }
}
