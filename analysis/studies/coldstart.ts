/**
 * E4: cold and warm start latency. A request is cold when the probe reports
 * the instance's first invocation (no /tmp marker yet), warm otherwise; cold
 * requests in bursts labelled `cold-natural` are natural cold starts (after
 * idle eviction), the others forced ones (after a configuration refresh).
 * Latency is the driver's round trip. Medians carry order-statistic intervals;
 * the new-host penalty compares cold starts that opened a host (its first
 * instances, in the step where it first appeared) with cold starts on a host
 * already seen, and is bootstrapped.
 */
import { cdfChart, intervalChart } from '../figures/charts';
import { fmt, fmtInterval, mdTable } from '../format';
import { bootstrappedMetric, medianMetric, type Metric, notMeasurable } from '../metrics';
import { differenceReplicates, quantileReplicates } from '../stats/bootstrap';
import { GroupedBuffers, NumericBuffer } from '../stats/numeric-buffer';
import { ecdfPoints, medianSummary, quantileSorted } from '../stats/quantiles';
import { createRandom } from '../stats/random';
import { type AnalysisDefinition, hostsUnusable } from './analysis';
import { absoluteMargin, ratioMargin } from '../margins';

type Kind = 'cold' | 'cold-natural' | 'warm';
const KINDS: Kind[] = ['cold', 'cold-natural', 'warm'];

export const coldstartAnalysis: AnalysisDefinition = {
  kind: 'coldstart',
  description: 'cold vs warm round-trip latency by runtime and memory; new-host cold-start penalty',
  create(ctx) {
    const samples = new GroupedBuffers(); // key: kind|runtime|memory
    const coldInstances: string[] = [];
    const coldSteps = new NumericBuffer();
    const coldLatencies = new NumericBuffer();
    return {
      add(record, instance) {
        const response = record.response;
        if (record.status !== 'ok' || !response || record.latencyMs === null) return;
        const kind: Kind = response.instance.cold ? (record.label === 'cold-natural' ? 'cold-natural' : 'cold') : 'warm';
        const memory = instance?.memoryMb ?? ctx.index.memoryAt(record.target, record.step) ?? 0;
        samples.push(`${kind}|${response.runtime}|${memory}`, record.latencyMs);
        if (kind !== 'warm') {
          coldInstances.push(response.instance.id);
          coldSteps.push(record.step);
          coldLatencies.push(record.latencyMs);
        }
      },
      finish() {
        const groups = samples.keys().map((key) => {
          const [kind, runtime, memory] = key.split('|') as [Kind, string, string];
          return { kind, runtime, memory: Number(memory), sorted: samples.get(key)!.sorted() };
        });
        const pooled = (filter: (g: (typeof groups)[number]) => boolean) => {
          const buffer = new NumericBuffer();
          for (const g of groups.filter(filter)) for (const v of g.sorted) buffer.push(v);
          return buffer.sorted();
        };
        const forced = pooled((g) => g.kind === 'cold');
        const natural = pooled((g) => g.kind === 'cold-natural');
        const coldKind: Kind = forced.length > 0 ? 'cold' : 'cold-natural';
        const metrics: Metric[] = [
          medianMetric('coldstart.warmMedianMs', 'median warm-start latency (all runtimes and memory sizes)', 'ms', pooled((g) => g.kind === 'warm'), 'warm requests'),
          medianMetric(
            'coldstart.coldMedianMs',
            `median cold-start latency (${coldKind === 'cold' ? 'forced' : 'natural'} cold starts, all runtimes and memory sizes)`,
            'ms',
            coldKind === 'cold' ? forced : natural,
            'cold requests',
          ),
        ];
        if (natural.length > 0 && forced.length > 0) {
          metrics.push(medianMetric('coldstart.naturalColdMedianMs', 'median natural cold-start latency (after idle eviction)', 'ms', natural, 'cold requests'));
        }
        const memories = [...new Set(groups.map((g) => g.memory))].sort((a, b) => a - b);
        const runtimes = [...new Set(groups.map((g) => g.runtime))].sort();
        for (const m of memories) {
          metrics.push(medianMetric(`coldstart.coldMedianMs.m${m}`, `median cold-start latency at ${m} MB`, 'ms', pooled((g) => g.kind === coldKind && g.memory === m), 'cold requests'));
          metrics.push(medianMetric(`coldstart.warmMedianMs.m${m}`, `median warm-start latency at ${m} MB`, 'ms', pooled((g) => g.kind === 'warm' && g.memory === m), 'warm requests'));
        }
        for (const r of runtimes) {
          metrics.push(medianMetric(`coldstart.coldMedianMs.${r}`, `median cold-start latency, ${r}`, 'ms', pooled((g) => g.kind === coldKind && g.runtime === r), 'cold requests'));
          metrics.push(medianMetric(`coldstart.warmMedianMs.${r}`, `median warm-start latency, ${r}`, 'ms', pooled((g) => g.kind === 'warm' && g.runtime === r), 'warm requests'));
        }
        const penalty = newHostPenalty();
        metrics.push(penalty.metric);

        const cdfSeries = KINDS.flatMap((kind) =>
          runtimes.map((runtime) => ({ series: `${kind} ${runtime}`, sorted: pooled((g) => g.kind === kind && g.runtime === runtime) })),
        ).filter((s) => s.sorted.length > 0);
        const medianPoints = groups
          .filter((g) => g.sorted.length > 0)
          .map((g) => {
            const m = medianSummary(g.sorted);
            return { x: g.memory, y: m.median, lower: m.lower, upper: m.upper, series: `${g.kind} ${g.runtime}`, n: g.sorted.length };
          })
          .sort((a, b) => a.series.localeCompare(b.series) || a.x - b.x);
        const table = mdTable(
          ['kind', 'runtime', 'memory (MB)', 'requests', 'median (ms)', '95 % CI (ms)', 'p90 (ms)'],
          groups
            .sort((a, b) => a.kind.localeCompare(b.kind) || a.runtime.localeCompare(b.runtime) || a.memory - b.memory)
            .map((g) => {
              const m = medianSummary(g.sorted);
              const interval: [number, number] | null = m.lower === null ? null : [m.lower, m.upper!];
              return [g.kind, g.runtime, g.memory, g.sorted.length, fmt(m.median), fmtInterval(interval), fmt(quantileSorted(g.sorted, 0.9))];
            }),
        );
        return {
          metrics,
          figures: [
            {
              file: 'coldstart-latency-cdf.svg',
              title: 'Latency CDF: cold vs warm, per runtime',
              caption: 'Empirical CDFs of the driver round-trip latency (log scale). Cold requests are an instance\'s first invocation.',
              spec: cdfChart({
                title: 'Round-trip latency',
                xTitle: 'latency (ms)',
                xScale: 'log',
                series: cdfSeries.map((s) => ({ series: s.series, points: ecdfPoints(s.sorted) })),
              }),
            },
            {
              file: 'coldstart-median-by-memory.svg',
              title: 'Median latency by memory size',
              caption: 'Median round-trip latency per memory size with 95 % order-statistic intervals, per kind and runtime.',
              spec: intervalChart({
                title: 'Median latency by memory size',
                xTitle: 'memory (MB)',
                yTitle: 'median latency (ms)',
                yScale: 'log',
                points: medianPoints,
              }),
            },
          ],
          sections: [{ title: 'Latency by kind, runtime and memory', body: table }, ...penalty.sections],
          notes: penalty.notes,
        };

        function newHostPenalty(): { metric: Metric; sections: { title: string; body: string }[]; notes: string[] } {
          const name = 'coldstart.newHostPenaltyMs';
          const description = 'median cold-start latency on a new host minus that on a host already in use';
          if (coldLatencies.length === 0) return { metric: notMeasurable(name, description, 'ms', 'no cold starts'), sections: [], notes: [] };
          const hosts = ctx.hosts();
          const unusable = hostsUnusable(hosts);
          if (unusable) return { metric: notMeasurable(name, description, 'ms', unusable), sections: [], notes: [] };
          const firstStep = new Map<string, number>();
          for (const h of hosts.hosts) firstStep.set(h.id, Math.min(...h.instances.map((i) => i.firstStep)));
          const fresh = new NumericBuffer();
          const reused = new NumericBuffer();
          const steps = coldSteps.values();
          const latencies = coldLatencies.values();
          coldInstances.forEach((id, i) => {
            const host = hosts.hostOf.get(id);
            if (!host) return;
            (steps[i] === firstStep.get(host.id) ? fresh : reused).push(latencies[i]!);
          });
          const freshSorted = fresh.sorted();
          const reusedSorted = reused.sorted();
          if (freshSorted.length === 0 || reusedSorted.length === 0) {
            const reason = freshSorted.length === 0 ? 'no cold start opened a new host' : 'every cold start opened a new host (no host was reused)';
            return { metric: notMeasurable(name, description, 'ms', reason), sections: [], notes: [] };
          }
          const random = createRandom();
          const replicates = differenceReplicates(quantileReplicates(freshSorted, 0.5, { random }), quantileReplicates(reusedSorted, 0.5, { random }));
          const value = quantileSorted(freshSorted, 0.5) - quantileSorted(reusedSorted, 0.5);
          const metric = bootstrappedMetric(
            { name, description, unit: 'ms', value, n: freshSorted.length + reusedSorted.length, method: `difference of medians (${freshSorted.length} cold starts on new hosts, ${reusedSorted.length} on reused hosts)` },
            replicates,
          );
          const body = mdTable(
            ['cold starts on', 'requests', 'median (ms)'],
            [
              ['a new host', freshSorted.length, fmt(quantileSorted(freshSorted, 0.5))],
              ['a host already in use', reusedSorted.length, fmt(quantileSorted(reusedSorted, 0.5))],
            ],
          );
          return { metric, sections: [{ title: 'New host vs reused host', body }], notes: [] };
        }
      },
    };
  },
  margins: {
    'coldstart.warmMedianMs': ratioMargin(0.25, 'latency medians move with load and placement from run to run; a quarter is half the ±50 % that the paper\'s latency claims allow'),
    'coldstart.coldMedianMs': ratioMargin(0.25, 'as for warm starts: half the ±50 % tolerance of the paper\'s cold-start claims'),
    'coldstart.naturalColdMedianMs': ratioMargin(0.25, 'as for forced cold starts'),
    'coldstart.newHostPenaltyMs': absoluteMargin(20, 'about half the 39 ms new-host penalty the paper reports: a smaller change leaves "a new host costs extra" as it was'),
  },
};
