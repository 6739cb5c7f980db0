/**
 * Verdicts for the claims a run checks. A claim is consistent when the run's
 * 95 % interval (or, without one, its value) meets the expectation: overlaps the
 * approx band or range, reaches the at-least/at-most bound, equals the boolean.
 * An interval that straddles the bound is consistent: the run cannot reject the
 * claim. A metric the run could not compute gives "not measurable here".
 */
import type { Claim, Expectation } from '../experiments/schema';
import { fmt } from './format';
import type { Metric } from './metrics';
import type { PlatformInfo } from './run/platform';
import { CLOUD_PROVIDER_IDS } from '../probe-runtime/contracts/providers';

export type Verdict = 'consistent' | 'differs' | 'not measurable here';

export interface ClaimResult {
  claim: Claim;
  metric: Metric | null;
  verdict: Verdict;
  /** One sentence: why this verdict. */
  reason: string;
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
      note: platform.emulated
        ? `the local profile ${platform.profile ? `"${platform.profile}"` : '(unknown: run.json is missing)'} models none of ${CLOUD_PROVIDER_IDS.join(', ')}, so no published claim applies`
        : null,
    };
  }
  const checked = claims.filter((c) => c.provider === platform.modelled).map((claim) => judge(claim, metrics.get(claim.metric) ?? null));
  return { checked, otherPlatforms: claims.filter((c) => c.provider !== platform.modelled), note: null };
}

export function judge(claim: Claim, metric: Metric | null): ClaimResult {
  if (!metric) return { claim, metric, verdict: 'not measurable here', reason: `this analysis computes no metric "${claim.metric}"` };
  if (metric.value === null) return { claim, metric, verdict: 'not measurable here', reason: metric.reason ?? 'no value' };
  const e = claim.expected;
  if (e.kind === 'boolean') {
    if (typeof metric.value !== 'boolean') return { claim, metric, verdict: 'not measurable here', reason: 'the metric is not a yes/no answer' };
    return verdictOf(claim, metric, metric.value === e.value, `measured ${metric.value ? 'yes' : 'no'}, expected ${e.value ? 'yes' : 'no'}`);
  }
  if (typeof metric.value !== 'number') return { claim, metric, verdict: 'not measurable here', reason: 'the metric is not a number' };
  const [low, high] = metric.interval ?? [metric.value, metric.value];
  // A lower bound (e.g. a median survival beyond the end of the study) is consistent with anything above it.
  const upper = metric.bound === 'lower' ? Number.POSITIVE_INFINITY : high;
  const band = expectedBand(e);
  const consistent = low <= band[1] && upper >= band[0];
  const measured = metric.bound === 'lower' ? `at least ${fmt(metric.value)}` : metric.interval ? `${fmt(low)}–${fmt(high)} (95 % CI)` : fmt(metric.value);
  if (metric.bound === 'lower' && !consistent) {
    return verdictOf(claim, metric, false, `measured ${measured}, above the expected ${describeExpectation(e)}`);
  }
  if (metric.bound === 'lower' && low < band[0]) {
    return { claim, metric, verdict: 'not measurable here', reason: `the run only shows the value is at least ${fmt(metric.value)} (the study ended first); expected ${describeExpectation(e)}` };
  }
  return verdictOf(claim, metric, consistent, `measured ${measured}, expected ${describeExpectation(e)}`);
}

function verdictOf(claim: Claim, metric: Metric, consistent: boolean, reason: string): ClaimResult {
  return { claim, metric, verdict: consistent ? 'consistent' : 'differs', reason };
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
