/**
 * E10: resource accounting. A `background` task starts CPU work that continues
 * after the handler returns; a later invocation of the same instance reports
 * its progress (ProbeResponse.backgroundWork: workMs, the time the work actually ran,
 * excluding freezes and throttling; snapshotted when that request arrived). For each (instance, starting
 * invocation) the latest snapshot counts. Billed time is the starting
 * invocation's handler time (probe receive to respond); the ratio is work after
 * return per billed second, pooled over all pairs and bootstrapped over them.
 */
import { scatterChart } from '../figures/charts';
import { fmt, mdTable } from '../format';
import { bootstrappedMetric, type Metric, notMeasurable } from '../metrics';
import { bootstrapReplicates } from '../stats/bootstrap';
import { medianSorted, sortedCopy } from '../stats/quantiles';
import type { AnalysisDefinition } from './analysis';
import { absoluteMargin, ratioMargin } from '../margins';

interface Pair {
  memoryMb: number;
  billedMs: number | null;
  workMs: number;
  requestedMs: number;
}

export const accountingAnalysis: AnalysisDefinition = {
  kind: 'accounting',
  description: 'work done after the handler returned vs time billed',
  create() {
    const pairs = new Map<string, Pair>();
    return {
      add(record, instance) {
        const response = record.response;
        if (record.status !== 'ok' || !response || !instance) return;
        const key = (invocation: number) => `${instance.id}#${invocation}`;
        if (response.task.name === 'background' && response.task.ok) {
          const billedMs = response.timing.respondedAt - response.timing.receivedAt;
          const existing = pairs.get(key(response.instance.invocation));
          if (existing) existing.billedMs = billedMs;
          else pairs.set(key(response.instance.invocation), { memoryMb: instance.memoryMb, billedMs, workMs: 0, requestedMs: 0 });
        }
        const report = response.backgroundWork;
        if (report && report.startedInvocation < response.instance.invocation) {
          const pair = pairs.get(key(report.startedInvocation)) ?? { memoryMb: instance.memoryMb, billedMs: null, workMs: 0, requestedMs: report.durationMs };
          pair.workMs = Math.max(pair.workMs, report.workMs);
          pair.requestedMs = report.durationMs;
          pairs.set(key(report.startedInvocation), pair);
        }
      },
      finish() {
        const complete = [...pairs.values()].filter((p) => p.billedMs !== null && p.requestedMs > 0);
        const started = [...pairs.values()].filter((p) => p.billedMs !== null).length;
        const name = 'accounting.unbilledWorkRatio';
        const description = 'seconds of work done after the handler returned per second billed';
        if (complete.length === 0) {
          const reason = started === 0 ? 'no background task started successfully' : 'no later invocation of an instance reported its background work';
          return { metrics: [notMeasurable(name, description, 'work-seconds per billed second', reason)], figures: [], sections: [], notes: [] };
        }
        const work = complete.map((p) => p.workMs);
        const billed = complete.map((p) => p.billedMs!);
        const ratioOf = (idx: ArrayLike<number>) => {
          let w = 0;
          let b = 0;
          for (let k = 0; k < idx.length; k++) {
            w += work[idx[k]!]!;
            b += billed[idx[k]!]!;
          }
          return b > 0 ? w / b : Number.NaN;
        };
        const all = Array.from(complete.keys());
        const metrics: Metric[] = [
          bootstrappedMetric(
            { name, description, unit: 'work-seconds per billed second', value: ratioOf(all), n: complete.length, method: `pooled over ${complete.length} (start, report) pairs` },
            bootstrapReplicates(complete.length, ratioOf),
          ),
          {
            name: 'accounting.completedFraction',
            description: 'fraction of background work that ran at least 90 % of its requested duration',
            unit: 'fraction',
            value: complete.filter((p) => p.workMs >= 0.9 * p.requestedMs).length / complete.length,
            interval: null,
            method: 'observed',
            n: complete.length,
          },
        ];
        const memories = [...new Set(complete.map((p) => p.memoryMb))].sort((a, b) => a - b);
        return {
          metrics,
          figures: [
            {
              file: 'accounting-work-vs-billed.svg',
              title: 'Work after return vs time billed',
              caption: 'Each point is one background run: seconds of work done after the handler returned against the seconds billed for the invocation that started it (log scales; the dashed line is work = billed).',
              spec: scatterChart({
                title: 'Unbilled work',
                xTitle: 'billed time (s)',
                yTitle: 'work after return (s)',
                xScale: 'log',
                yScale: 'log',
                identityLine: 'work after return = billed time',
                points: complete.map((p) => ({ x: Math.max(p.billedMs!, 0.001) / 1000, y: Math.max(p.workMs, 0.001) / 1000, series: `${p.memoryMb} MB` })),
              }),
            },
          ],
          sections: [
            {
              title: 'Background work by memory size',
              body: mdTable(
                ['memory (MB)', 'runs', 'median work after return (s)', 'median billed (ms)', 'median requested (s)'],
                memories.map((m) => {
                  const own = complete.filter((p) => p.memoryMb === m);
                  const med = (xs: number[]) => medianSorted(sortedCopy(xs));
                  return [m, own.length, fmt(med(own.map((p) => p.workMs)) / 1000), fmt(med(own.map((p) => p.billedMs!))), fmt(med(own.map((p) => p.requestedMs)) / 1000)];
                }),
              ),
            },
          ],
          notes: [
            'Work is the wall time the probe spent inside work chunks; billed time is the starting invocation\'s handler time, before any provider rounding.',
          ],
        };
      },
    };
  },
  margins: {
    'accounting.unbilledWorkRatio': ratioMargin(0.25, 'the claims are orders of magnitude apart (≥ 10 against ≤ 0.1); a quarter keeps a run on its side with room'),
    'accounting.completedFraction': absoluteMargin(0.1, 'one background run in ten'),
  },
};
