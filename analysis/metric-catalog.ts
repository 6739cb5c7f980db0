/**
 * The metric catalog: every metric name each analysis can compute, as patterns
 * with placeholders, so a claim's `metric` can be checked when a definition is
 * validated (`curtain validate`), not only when a run's report says "not
 * measurable", and so docs/writing-a-study.md lists the names from here
 * (tools/generated-docs.ts). A Record over every analysis kind, so a new kind
 * does not compile without its metrics; analyzeRun notes any metric an analysis
 * emits that is missing here, and a test runs every analysis against it.
 *
 * Placeholders: {memoryMb} a memory size in MB, {runtime} nodejs or python,
 * {tenant} a tenant letter, {label} a burst label of the schedule, {kind} io or net.
 */
import { closest } from '../experiments/suggest';
import type { AnalysisKind, Claim, ScheduleItem, StudyDefinition } from '../experiments/schema';

export interface MetricSpec {
  pattern: string;
  unit: string;
  description: string;
}

const m = (pattern: string, unit: string, description: string): MetricSpec => ({ pattern, unit, description });

export const STUDY_METRICS: Record<AnalysisKind, MetricSpec[]> = {
  isolation: [
    m('isolation.crossTenantHosts', 'hosts', 'inferred hosts that carried instances of more than one tenant'),
    m('isolation.crossTenantInstanceFraction', 'fraction', 'fraction of instances on a host shared with another tenant'),
    // The covert channel's agreement with the fingerprints (issue 17b), when the schedule has a covert-channel burst.
    m('isolation.channelPairs', 'pairs', 'sender-receiver pairs the covert channel tested (both instances with an inferred host)'),
    m('isolation.channelAgreement', 'fraction', 'fraction of tested pairs where the channel and the fingerprints agree on co-residency'),
    m('isolation.channelBitErrorRateSameHost', 'fraction', 'bit error rate of the channel between instances the fingerprints put on one host'),
    m('isolation.channelBitErrorRateOtherHosts', 'fraction', 'bit error rate of the channel between instances the fingerprints put on different hosts'),
    m('isolation.channelCrossTenantPairs', 'pairs', 'pairs of different tenants the channel heard (confirmed co-resident)'),
  ],
  placement: [
    m('placement.maxHostMemoryMb', 'MB', 'most aggregate instance memory seen on one host at once'),
    m('placement.binPacked', 'yes/no', 'whether instances are packed onto as few hosts as their memory allows'),
    m('placement.hostsPerMinimum', '×', 'median over steps of hosts used / minimum hosts needed'),
    m('placement.maxInstancesPerHost', 'instances', 'most instances seen on one host at once'),
  ],
  scalability: [
    m('scalability.instanceRatioAtMax', 'fraction', 'distinct instances per requested concurrent request at the highest concurrency level'),
    m('scalability.maxInstances', 'instances', 'most distinct instances that answered one burst'),
    m('scalability.throttledFractionAtMax', 'fraction', 'fraction of requests throttled at the highest concurrency level'),
  ],
  coldstart: [
    m('coldstart.warmMedianMs', 'ms', 'median warm-start latency (all runtimes and memory sizes)'),
    m('coldstart.coldMedianMs', 'ms', 'median cold-start latency (forced cold starts where the study has them)'),
    m('coldstart.naturalColdMedianMs', 'ms', 'median natural cold-start latency (after idle eviction), when the study has both kinds'),
    m('coldstart.coldMedianMs.m{memoryMb}', 'ms', 'median cold-start latency at one memory size'),
    m('coldstart.warmMedianMs.m{memoryMb}', 'ms', 'median warm-start latency at one memory size'),
    m('coldstart.coldMedianMs.{runtime}', 'ms', 'median cold-start latency of one runtime'),
    m('coldstart.warmMedianMs.{runtime}', 'ms', 'median warm-start latency of one runtime'),
    m('coldstart.coldMedianMs.tenant-{tenant}', 'ms', 'median cold-start latency of one tenant (studies with several tenants)'),
    m('coldstart.warmMedianMs.tenant-{tenant}', 'ms', 'median warm-start latency of one tenant (studies with several tenants)'),
    m('coldstart.newHostPenaltyMs', 'ms', 'median cold start on a new host minus that on a host already in use'),
    m('coldstart.hostOpenings', 'instances', 'cold starts that opened an inferred host (its first instance)'),
  ],
  lifetime: [
    m('lifetime.medianHours', 'h', 'median instance lifetime (Kaplan–Meier, censored at the end of the run)'),
    m('lifetime.deaths', 'instances', 'instances seen to end before the run did'),
    m('lifetime.surplusEnds', 'instances', 'instances that ended while surplus (the next burst needed no replacement): censored as a competing risk'),
  ],
  'idle-recycling': [
    m('idle.maxSurvivedGapMinutes', 'min', 'longest measured idle gap after which an instance still answered'),
    m('idle.estimatedTimeoutMinutes', 'min', 'estimated idle timeout'),
    m('idle.recycledFractionAt26Min', 'fraction', 'fraction of instances recycled after about 26 minutes idle'),
    m('idle.survivingFractionAt120Min', 'fraction', 'fraction of instances still alive after about 120 minutes idle'),
    m('idle.consistentTimeout', 'yes/no', 'whether survival drops from (nearly) all to (nearly) none at one gap'),
  ],
  'cpu-share': [
    m('cpuShare.memoryCorrelation', 'Pearson r', 'correlation of CPU share with memory, instances alone'),
    m('cpuShare.sharePerGb', 'share per GB', 'fitted increase of CPU share per GB of memory'),
    m('cpuShare.coResidentDrop', 'fraction', 'relative drop of the CPU share with co-resident instances'),
  ],
  contention: [
    m('contention.maxSlowdown', '×', 'lone median throughput over the worst co-resident throughput'),
    m('contention.{kind}Slowdown', '×', 'the same for I/O (io) or network (net) alone'),
    m('contention.debasedInstanceFraction', 'fraction', 'fraction of instances on a VM type whose median I/O throughput is far below the best type\'s'),
  ],
  'update-consistency': [
    m('update.staleResponses', 'responses', 'responses after an update from an instance with the old configuration'),
    m('update.staleFraction', 'fraction', 'fraction of responses after an update from a stale instance'),
    m('update.staleWindowSeconds', 's', 'longest time after an update at which a stale response was seen'),
  ],
  accounting: [
    m('accounting.unbilledWorkRatio', 'work-s per billed s', 'seconds of work done after the handler returned per second billed'),
    m('accounting.completedFraction', 'fraction', 'fraction of background work that ran at least 90 % of its requested duration'),
  ],
};

/** Metrics of every study kind, per burst label (analysis/labels/label-breakdown.ts). */
export const LABEL_METRICS: MetricSpec[] = [
  m('label.{label}.coldFraction', 'fraction', 'requests of the label served by a new (cold) instance'),
  m('label.{label}.latencyMedianMs', 'ms', 'median round-trip latency of the label\'s requests'),
  m('label.{label}.instances', 'instances', 'distinct instances that served the label'),
  m('label.{label}.instancesPerBurst', 'instances', 'distinct instances per burst of the label (median over bursts)'),
  m('label.{label}.coldFraction.tenant-{tenant}', 'fraction', 'cold fraction of one tenant\'s requests of the label'),
  m('label.{label}.latencyMedianMs.tenant-{tenant}', 'ms', 'median latency of one tenant\'s requests of the label'),
];

const PLACEHOLDER: Record<string, string> = {
  memoryMb: '(?<memoryMb>[0-9]+)',
  runtime: '(?<runtime>nodejs|python)',
  tenant: '(?<tenant>[a-z])',
  label: '(?<label>[a-z][a-z0-9]*(?:-[a-z0-9]+)*)',
  kind: '(?<kind>io|net)',
};

function patternRegex(pattern: string): RegExp {
  const source = pattern
    .split(/(\{[a-zA-Z]+\})/)
    .map((part) => {
      const name = /^\{([a-zA-Z]+)\}$/.exec(part)?.[1];
      return name ? PLACEHOLDER[name]! : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${source}$`);
}

/** The specs an analysis kind can produce: its own and the per-label ones. */
export function metricSpecsFor(kind: AnalysisKind): MetricSpec[] {
  return [...STUDY_METRICS[kind], ...LABEL_METRICS];
}

/** Placeholder values the name matched with, or null when it matches no spec of the kind. */
export function matchMetric(kind: AnalysisKind, name: string): { spec: MetricSpec; values: Record<string, string> } | null {
  for (const spec of metricSpecsFor(kind)) {
    const match = patternRegex(spec.pattern).exec(name);
    if (match) return { spec, values: { ...(match.groups ?? {}) } };
  }
  return null;
}

/** Names an analysis emitted that the catalog does not declare (a bug of the catalog or of the analysis). */
export function undeclaredMetrics(kind: AnalysisKind, names: readonly string[]): string[] {
  return names.filter((name) => matchMetric(kind, name) === null);
}

/** Every burst label a schedule uses. */
export function scheduleLabels(schedule: readonly ScheduleItem[]): Set<string> {
  const labels = new Set<string>();
  const work = [...schedule];
  while (work.length > 0) {
    const item = work.pop()!;
    if (item.kind === 'repeat') work.push(...item.steps);
    else if (item.kind === 'burst' && item.label) labels.add(item.label);
  }
  return labels;
}

export interface ClaimMetricProblem {
  path: string;
  message: string;
}

/**
 * Each claim's metric must be one the study's analysis can compute, for a label the schedule
 * has and a tenant the matrix has: problems name `claims[i].metric`.
 */
export function checkClaimMetrics(definition: Pick<StudyDefinition, 'analysis' | 'schedule' | 'functions'> & { claims: readonly Claim[] }): ClaimMetricProblem[] {
  const problems: ClaimMetricProblem[] = [];
  const labels = scheduleLabels(definition.schedule);
  const tenants = new Set(definition.functions.tenant);
  const kind = definition.analysis.kind;
  definition.claims.forEach((claim, i) => {
    const path = `claims[${i}].metric`;
    const match = matchMetric(kind, claim.metric);
    if (!match) {
      const examples = metricSpecsFor(kind).map((s) => s.pattern);
      const near = closest(claim.metric, examples);
      problems.push({
        path,
        message: `"${claim.metric}" is not a metric of the ${kind} analysis${near.length ? `; did you mean ${near.map((n) => `"${n}"`).join(' or ')}?` : ''} (metrics: docs/writing-a-study.md#metrics)`,
      });
      return;
    }
    const { label, tenant } = match.values;
    if (label !== undefined && !labels.has(label)) {
      problems.push({ path, message: `"${claim.metric}" names the burst label "${label}", which the schedule does not use (labels: ${[...labels].sort().join(', ') || 'none'})` });
    }
    if (tenant !== undefined && !tenants.has(tenant)) {
      problems.push({ path, message: `"${claim.metric}" names tenant "${tenant}", which the function matrix does not have (tenants: ${[...tenants].join(', ')})` });
    }
  });
  return problems;
}
