/**
 * E4: cold and warm start latency. A request is cold when the probe reports
 * the instance's first invocation (no /tmp marker yet), warm otherwise; cold
 * requests in bursts labelled `cold-natural` are natural cold starts (after
 * idle eviction), the others forced ones (after a configuration refresh).
 *
 * Latency is a phase of the request (experiments/latency-phase.ts): by default
 * the platform's part, the driver's round trip minus the probe's handler time, so
 * a barrier the probe waited for, its task and its own bookkeeping never count as
 * the platform's latency. A claim may ask for another phase (`claims[].phase`);
 * that phase's metrics are computed under `<metric>@<phase>`. The report gives
 * the median of every phase for cold and warm requests.
 *
 * Medians carry order-statistic intervals. The new-host penalty compares, like
 * with like, each cold start that opened a host (the host's first instance: the
 * earliest request sent among its cold starts) with the other cold starts of the
 * same step and runtime, each taken to the opening's place in the step's send
 * order along the step's trend of latency with that place (Tukey's resistant line
 * through the other cold starts): neither a crowded burst nor a request's place in it
 * (the first requests of a burst start first) passes for a new-host effect.
 */
import { DEFAULT_LATENCY_PHASE, isPhasedMetric, LATENCY_PHASES, type LatencyPhase, phasedMetricName } from '../../experiments/latency-phase';
import { cdfChart, intervalChart } from '../figures/charts';
import { fmt, fmtInterval, mdTable } from '../format';
import { describePhase, phaseMs } from '../latency/phases';
import { bootstrappedMetric, medianMetric, type Metric, notMeasurable } from '../metrics';
import { GroupedBuffers, NumericBuffer } from '../stats/numeric-buffer';
import { ecdfPoints, medianSummary, quantileSorted } from '../stats/quantiles';
import { DEFAULT_REPLICATES } from '../stats/bootstrap';
import { createRandom, randomIndex } from '../stats/random';
import { type AnalysisContext, type AnalysisDefinition, hostsUnusable, type Section } from './analysis';
import { absoluteMargin, ratioMargin } from '../margins';

type Kind = 'cold' | 'cold-natural' | 'warm';
/** Other cold starts of its step and runtime an opening needs to be compared (and the trend with send order fitted). */
export const MIN_REFERENCE = 3;
const FLOORED_PHASES = new Set<LatencyPhase>(['platform', 'round-trip', 'without-barrier', 'arrival']);
const KINDS: Kind[] = ['cold', 'cold-natural', 'warm'];

interface ColdStart {
  instance: string;
  step: number;
  runtime: string;
  sentAt: number;
  /** Latency per computed phase, in the order of `phases`. */
  latencies: number[];
}

export const coldstartAnalysis: AnalysisDefinition = {
  kind: 'coldstart',
  description: 'cold vs warm latency (the platform\'s part of the round trip) by runtime and memory; new-host cold-start penalty',
  create(ctx) {
    const phases = computedPhases(ctx);
    const samples = new GroupedBuffers(); // key: phase|kind|runtime|memory
    const byPhase = new GroupedBuffers(); // key: kind|phase, every phase (the phases section)
    const byTenant = new GroupedBuffers(); // key: phase|kind|tenant
    const colds: ColdStart[] = [];
    return {
      add(record, instance) {
        const response = record.response;
        if (record.status !== 'ok' || !response || record.latencyMs === null) return;
        const kind: Kind = response.instance.cold ? (record.label === 'cold-natural' ? 'cold-natural' : 'cold') : 'warm';
        const memory = instance?.memoryMb ?? ctx.index.memoryAt(record.target, record.step) ?? 0;
        for (const phase of LATENCY_PHASES) {
          const value = phaseMs(record, phase, ctx.platform.sharedClock);
          if (value !== null) byPhase.push(`${kind}|${phase}`, value);
        }
        const latencies = phases.map((phase) => phaseMs(record, phase, ctx.platform.sharedClock));
        phases.forEach((phase, i) => {
          if (latencies[i] !== null) samples.push(`${phase}|${kind}|${response.runtime}|${memory}`, latencies[i]!);
        });
        const tenant = instance?.tenant ?? ctx.index.functions.get(record.target)?.tenant ?? '?';
        phases.forEach((phase, i) => {
          if (latencies[i] !== null) byTenant.push(`${phase}|${kind}|${tenant}`, latencies[i]!);
        });
        if (kind !== 'warm' && record.sentAt !== null) {
          colds.push({ instance: response.instance.id, step: record.step, runtime: response.runtime, sentAt: record.sentAt, latencies: latencies.map((l) => l ?? Number.NaN) });
        }
      },
      finish() {
        const groups = samples.keys().map((key) => {
          const [phase, kind, runtime, memory] = key.split('|') as [LatencyPhase, Kind, string, string];
          return { phase, kind, runtime, memory: Number(memory), sorted: samples.get(key)!.sorted() };
        });
        const metrics: Metric[] = [];
        // Per tenant too when the study has several: tenants may be treated differently.
        const tenants = [...new Set(ctx.plan.functions.map((f) => f.tenant))].sort();
        const tenantSorted = (phase: LatencyPhase) => (kind: Kind, tenant: string) => byTenant.get(`${phase}|${kind}|${tenant}`)?.sorted() ?? new Float64Array(0);
        for (const phase of phases) metrics.push(...latencyMetrics(groups.filter((g) => g.phase === phase), phase, tenants.length > 1 ? tenants : [], tenantSorted(phase)));
        const openers = hostOpenings(ctx, colds);
        metrics.push(
          openers
            ? { name: 'coldstart.hostOpenings', description: 'cold starts that opened an inferred host (its first instance)', unit: 'instances', value: openers.openers.size, interval: null, method: 'observed: the earliest request sent among each host\'s cold starts', n: colds.length }
            : notMeasurable('coldstart.hostOpenings', 'cold starts that opened an inferred host (its first instance)', 'instances', colds.length === 0 ? 'no cold starts' : (hostsUnusable(ctx.hosts()) ?? 'no host')),
        );
        phases.forEach((phase, i) => metrics.push(newHostPenalty(ctx, colds, openers, phase, i)));
        const defaultGroups = groups.filter((g) => g.phase === DEFAULT_LATENCY_PHASE);
        const pooled = (filter: (g: (typeof groups)[number]) => boolean) => {
          const buffer = new NumericBuffer();
          for (const g of defaultGroups.filter(filter)) for (const v of g.sorted) buffer.push(v);
          return buffer.sorted();
        };
        const runtimes = [...new Set(defaultGroups.map((g) => g.runtime))].sort();
        const cdfSeries = KINDS.flatMap((kind) =>
          runtimes.map((runtime) => ({ series: `${kind} ${runtime}`, sorted: pooled((g) => g.kind === kind && g.runtime === runtime) })),
        ).filter((s) => s.sorted.length > 0);
        const medianPoints = defaultGroups
          .filter((g) => g.sorted.length > 0)
          .map((g) => {
            const m = medianSummary(g.sorted);
            return { x: g.memory, y: m.median, lower: m.lower, upper: m.upper, series: `${g.kind} ${g.runtime}`, n: g.sorted.length };
          })
          .sort((a, b) => a.series.localeCompare(b.series) || a.x - b.x);
        const table = mdTable(
          ['kind', 'runtime', 'memory (MB)', 'requests', 'median (ms)', '95 % CI (ms)', 'p90 (ms)'],
          defaultGroups
            .sort((a, b) => a.kind.localeCompare(b.kind) || a.runtime.localeCompare(b.runtime) || a.memory - b.memory)
            .map((g) => {
              const m = medianSummary(g.sorted);
              const interval: [number, number] | null = m.lower === null ? null : [m.lower, m.upper!];
              return [g.kind, g.runtime, g.memory, g.sorted.length, fmt(m.median), fmtInterval(interval), fmt(quantileSorted(g.sorted, 0.9))];
            }),
        );
        const phaseName = `${DEFAULT_LATENCY_PHASE} latency (${describePhase(DEFAULT_LATENCY_PHASE)})`;
        const sections: Section[] = [
          { title: 'Latency by kind, runtime and memory', body: `Every figure in this table is the ${phaseName}.\n\n${table}` },
          phasesSection(byPhase, ctx.platform.sharedClock),
        ];
        const penaltySection = penaltyTable(ctx, colds, openers);
        if (penaltySection) sections.push(penaltySection);
        return {
          metrics,
          figures: [
            {
              file: 'coldstart-latency-cdf.svg',
              title: 'Latency CDF: cold vs warm, per runtime',
              caption: `Empirical CDFs of the ${phaseName} (log scale). Cold requests are an instance's first invocation.`,
              spec: cdfChart({
                title: `Platform latency on ${ctx.platform.provider}`,
                xTitle: `${DEFAULT_LATENCY_PHASE} latency (ms)`,
                xScale: 'log',
                series: cdfSeries.map((s) => ({ series: s.series, points: ecdfPoints(s.sorted) })),
              }),
            },
            {
              file: 'coldstart-median-by-memory.svg',
              title: 'Median latency by memory size',
              caption: `Median ${DEFAULT_LATENCY_PHASE} latency per memory size with 95 % order-statistic intervals, per kind and runtime.`,
              spec: intervalChart({
                title: 'Median latency by memory size',
                xTitle: 'memory (MB)',
                yTitle: `median ${DEFAULT_LATENCY_PHASE} latency (ms)`,
                yScale: 'log',
                points: medianPoints,
              }),
            },
          ],
          sections,
          notes: [],
        };
      },
    };
  },
  margins: {
    'coldstart.warmMedianMs': ratioMargin(0.25, 'latency medians move with load and placement from run to run; a quarter is half the ±50 % that the paper\'s latency claims allow'),
    'coldstart.coldMedianMs': ratioMargin(0.25, 'as for warm starts: half the ±50 % tolerance of the paper\'s cold-start claims'),
    'coldstart.naturalColdMedianMs': ratioMargin(0.25, 'as for forced cold starts'),
    'coldstart.hostOpenings': ratioMargin(0.25, 'hosts opened follow the placement of a run\'s cold starts; a quarter more or fewer leaves the penalty compared on as many openings'),
    'coldstart.newHostPenaltyMs': absoluteMargin(20, 'about half the 39 ms new-host penalty the paper reports: a smaller change leaves "a new host costs extra" as it was'),
  },
};

/** The default phase, then every other phase a claim of the plan asks for. */
function computedPhases(ctx: AnalysisContext): LatencyPhase[] {
  const asked = ctx.plan.claims.filter((c) => c.phase !== undefined && isPhasedMetric('coldstart', c.metric)).map((c) => c.phase!);
  return [...new Set<LatencyPhase>([DEFAULT_LATENCY_PHASE, ...asked])];
}

type Group = { kind: Kind; runtime: string; memory: number; sorted: Float64Array };

function latencyMetrics(groups: Group[], phase: LatencyPhase, tenants: string[], byTenant: (kind: Kind, tenant: string) => Float64Array): Metric[] {
  const pooled = (filter: (g: Group) => boolean) => {
    const buffer = new NumericBuffer();
    for (const g of groups.filter(filter)) for (const v of g.sorted) buffer.push(v);
    return buffer.sorted();
  };
  const forced = pooled((g) => g.kind === 'cold');
  const natural = pooled((g) => g.kind === 'cold-natural');
  const coldKind: Kind = forced.length > 0 ? 'cold' : 'cold-natural';
  const named = (name: string, description: string, sorted: Float64Array, noun: string, kind: Kind, runtime: string | null = null): Metric => ({
    ...medianMetric(phasedMetricName(name, phase), `${description}; ${phase} latency`, 'ms', sorted, noun),
    phase,
    // A phase that includes the way to the instance and back has the machine's floor under it.
    ...(FLOORED_PHASES.has(phase) ? { floor: { kind: kind === 'warm' ? ('request' as const) : ('cold-start' as const), runtime } } : {}),
  });
  const metrics: Metric[] = [
    named('coldstart.warmMedianMs', 'median warm-start latency (all runtimes and memory sizes)', pooled((g) => g.kind === 'warm'), 'warm requests', 'warm'),
    named(
      'coldstart.coldMedianMs',
      `median cold-start latency (${coldKind === 'cold' ? 'forced' : 'natural'} cold starts, all runtimes and memory sizes)`,
      coldKind === 'cold' ? forced : natural,
      'cold requests',
      coldKind,
    ),
  ];
  if (natural.length > 0 && forced.length > 0) {
    metrics.push(named('coldstart.naturalColdMedianMs', 'median natural cold-start latency (after idle eviction)', natural, 'cold requests', 'cold-natural'));
  }
  const memories = [...new Set(groups.map((g) => g.memory))].sort((a, b) => a - b);
  const runtimes = [...new Set(groups.map((g) => g.runtime))].sort();
  for (const m of memories) {
    metrics.push(named(`coldstart.coldMedianMs.m${m}`, `median cold-start latency at ${m} MB`, pooled((g) => g.kind === coldKind && g.memory === m), 'cold requests', coldKind));
    metrics.push(named(`coldstart.warmMedianMs.m${m}`, `median warm-start latency at ${m} MB`, pooled((g) => g.kind === 'warm' && g.memory === m), 'warm requests', 'warm'));
  }
  for (const r of runtimes) {
    metrics.push(named(`coldstart.coldMedianMs.${r}`, `median cold-start latency, ${r}`, pooled((g) => g.kind === coldKind && g.runtime === r), 'cold requests', coldKind, r));
    metrics.push(named(`coldstart.warmMedianMs.${r}`, `median warm-start latency, ${r}`, pooled((g) => g.kind === 'warm' && g.runtime === r), 'warm requests', 'warm', r));
  }
  for (const t of tenants) {
    metrics.push(named(`coldstart.coldMedianMs.tenant-${t}`, `median cold-start latency, tenant ${t}`, byTenant(coldKind, t), 'cold requests', coldKind));
    metrics.push(named(`coldstart.warmMedianMs.tenant-${t}`, `median warm-start latency, tenant ${t}`, byTenant('warm', t), 'warm requests', 'warm'));
  }
  return metrics;
}

/** Median of every phase for cold and warm requests, with the clocks each reads. */
function phasesSection(byPhase: GroupedBuffers, sharedClock: boolean): Section {
  const kinds = KINDS.filter((k) => LATENCY_PHASES.some((p) => byPhase.get(`${k}|${p}`)));
  const rows = LATENCY_PHASES.map((phase) => [
    `${phase}${phase === DEFAULT_LATENCY_PHASE ? ' (default)' : ''}`,
    ...kinds.map((k) => {
      const buffer = byPhase.get(`${k}|${phase}`);
      return buffer && buffer.length > 0 ? fmt(quantileSorted(buffer.sorted(), 0.5)) : '—';
    }),
    describePhase(phase),
  ]);
  const clockNote = sharedClock
    ? 'Driver and probes ran on one machine clock, so arrival and response are given.'
    : 'Driver and probe run on different machines with different clocks: arrival and response would mix them and are not given.';
  return {
    title: 'Latency phases',
    body: `${mdTable(['phase', ...kinds.map((k) => `${k} median (ms)`), 'what it is'], rows)}\n\nLatency metrics use the ${DEFAULT_LATENCY_PHASE} phase unless a claim names another. ${clockNote}`,
  };
}

/**
 * The cold start that opened each inferred host: the earliest request sent among the
 * host's cold starts (its first instance; on the local platform and on a cloud the
 * request that reached the platform first is placed first). Null when hosts are unusable.
 */
function hostOpenings(ctx: AnalysisContext, colds: readonly ColdStart[]): { openers: Set<number>; hostOf: (i: number) => string | null } | null {
  if (colds.length === 0) return null;
  const hosts = ctx.hosts();
  if (hostsUnusable(hosts)) return null;
  const first = new Map<string, number>();
  const hostOf = (i: number) => hosts.hostOf.get(colds[i]!.instance)?.id ?? null;
  colds.forEach((c, i) => {
    const host = hostOf(i);
    if (host === null) return;
    const current = first.get(host);
    if (current === undefined || c.sentAt < colds[current]!.sentAt) first.set(host, i);
  });
  return { openers: new Set(first.values()), hostOf };
}

function newHostPenalty(ctx: AnalysisContext, colds: readonly ColdStart[], openings: ReturnType<typeof hostOpenings>, phase: LatencyPhase, phaseIndex: number): Metric {
  const name = phasedMetricName('coldstart.newHostPenaltyMs', phase);
  const description = `median extra cold-start latency of a host's first instance over the other cold starts of the same step and runtime; ${phase} latency`;
  if (colds.length === 0) return { ...notMeasurable(name, description, 'ms', 'no cold starts'), phase };
  if (!openings) return { ...notMeasurable(name, description, 'ms', hostsUnusable(ctx.hosts()) ?? 'no cold start could be placed on a host'), phase };
  // Per step and runtime: its openings and its other cold starts, each with its place in the step's send order.
  const groups: RankedGroup[] = [];
  for (const [, members] of byStep(colds)) {
    for (const runtime of new Set(members.map((i) => colds[i]!.runtime))) {
      const ranked = members
        .map((i, rank) => ({ i, rank, latency: colds[i]!.latencies[phaseIndex]! }))
        .filter((m) => colds[m.i]!.runtime === runtime && openings.hostOf(m.i) !== null && !Number.isNaN(m.latency));
      const group = {
        openers: ranked.filter((m) => openings.openers.has(m.i)).map(({ rank, latency }) => ({ rank, latency })),
        others: ranked.filter((m) => !openings.openers.has(m.i)).map(({ rank, latency }) => ({ rank, latency })),
      };
      if (group.openers.length > 0 && group.others.length >= MIN_REFERENCE) groups.push(group);
    }
  }
  if (groups.length === 0) {
    const reason =
      openings.openers.size === 0 ? 'no cold start opened a host' : `no host opening had ${MIN_REFERENCE} or more other cold starts of its step and runtime to compare with`;
    return { ...notMeasurable(name, description, 'ms', reason), phase };
  }
  const random = createRandom();
  const replicates = new Float64Array(DEFAULT_REPLICATES);
  const resample = <T,>(xs: readonly T[]) => Array.from(xs, () => xs[randomIndex(random, xs.length)]!);
  for (let b = 0; b < replicates.length; b++) {
    replicates[b] = openingPenalty(resample(groups).map((g) => ({ openers: resample(g.openers), others: resample(g.others) })));
  }
  const result = { value: openingPenalty(groups), treated: groups.reduce((n, g) => n + g.openers.length, 0), reference: groups.reduce((n, g) => n + g.others.length, 0) };
  return {
    ...bootstrappedMetric(
      {
        name,
        description,
        unit: 'ms',
        value: result.value,
        n: result.treated,
        method: `median over ${result.treated} host openings of (its latency − the median latency of the ${result.reference} other cold starts of its step and runtime, each moved to the opening's place in the send order along the step's trend (Tukey's resistant line)); bootstrap of steps, openings and other cold starts, trend refitted each time`,
      },
      replicates,
    ),
    phase,
  };
}

interface RankedGroup {
  openers: { rank: number; latency: number }[];
  others: { rank: number; latency: number }[];
}

/** Median over openings of (latency − median of the group's others moved to the opening's rank along their trend). */
function openingPenalty(groups: readonly RankedGroup[]): number {
  const differences: number[] = [];
  for (const g of groups) {
    const slope = resistantSlope(g.others.map((o) => o.rank), g.others.map((o) => o.latency));
    for (const opener of g.openers) {
      const reference = Float64Array.from(g.others, (o) => o.latency - slope * (o.rank - opener.rank)).sort();
      differences.push(opener.latency - quantileSorted(reference, 0.5));
    }
  }
  return quantileSorted(Float64Array.from(differences).sort(), 0.5);
}

/**
 * Tukey's resistant line: the slope between the medians of the lowest and the highest third of the
 * points by x. A few outliers do not move it, and it costs a sort, not every pair. 0 when x does not vary.
 */
function resistantSlope(x: readonly number[], y: readonly number[]): number {
  const points = x.map((xi, k) => [xi, y[k]!] as const).sort((a, b) => a[0] - b[0]);
  const third = Math.floor(points.length / 3);
  if (third === 0) return 0;
  const median = (values: number[]) => quantileSorted(Float64Array.from(values).sort(), 0.5);
  const low = points.slice(0, third);
  const high = points.slice(points.length - third);
  const dx = median(high.map((p) => p[0])) - median(low.map((p) => p[0]));
  return dx === 0 ? 0 : (median(high.map((p) => p[1])) - median(low.map((p) => p[1]))) / dx;
}

/** Cold starts (indices) per step, in the order their requests were sent. */
function byStep(colds: readonly ColdStart[]): Map<number, number[]> {
  const steps = new Map<number, number[]>();
  colds.forEach((c, i) => {
    const members = steps.get(c.step) ?? [];
    members.push(i);
    steps.set(c.step, members);
  });
  for (const members of steps.values()) members.sort((a, b) => colds[a]!.sentAt - colds[b]!.sentAt);
  return steps;
}

function penaltyTable(ctx: AnalysisContext, colds: readonly ColdStart[], openings: ReturnType<typeof hostOpenings>): Section | null {
  if (!openings) return null;
  const byStep = new Map<number, { open: number[]; other: number[] }>();
  colds.forEach((c, i) => {
    if (openings.hostOf(i) === null) return;
    const row = byStep.get(c.step) ?? { open: [], other: [] };
    (openings.openers.has(i) ? row.open : row.other).push(c.latencies[0]!);
    byStep.set(c.step, row);
  });
  const median = (xs: number[]) => (xs.length ? fmt(quantileSorted(Float64Array.from(xs).sort(), 0.5)) : '—');
  const rows = [...byStep.entries()].sort((a, b) => a[0] - b[0]).map(([step, r]) => [ctx.index.burst(step)?.id ?? String(step), r.open.length, median(r.open), r.other.length, median(r.other)]);
  return {
    title: 'Host openings vs other cold starts',
    body: `${mdTable(['step', 'host openings', 'median (ms)', 'other cold starts', 'median (ms)'], rows)}\n\nA host opening is the first instance seen on an inferred host (the earliest request sent among its cold starts); the penalty compares each opening with the other cold starts of its own step and runtime, taken to the opening's place in the send order along the step's trend, so neither a crowded first burst nor the head start of a burst's first requests passes for a new-host effect. Latencies are the ${DEFAULT_LATENCY_PHASE} phase.`,
  };
}
