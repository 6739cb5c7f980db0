/**
 * E10: resource accounting. A `background` task starts CPU work that continues
 * after the handler returns; the next invocation of the same instance reports its
 * progress (ProbeResponse.backgroundWork: workMs, the time the work actually ran,
 * excluding freezes and throttling; snapshotted when that request arrived).
 *
 * For each (instance, starting invocation) only the report of the *next* invocation
 * counts: later reports include work done after that request thawed the instance, which
 * ran while a request was being billed or after it. Where the report shows the work was
 * paused for at least FREEZE_MS and resumed just before the reporting request reached the
 * handler (a frozen instance thawed for it), only the work before that pause counts.
 *
 * Billed time is the starting invocation's handler time (probe receive to respond) as the
 * provider bills it: rounded by the duration billing rule of the capability table in force
 * when the run was made or, on the local platform, when the platform it models was measured
 * (experiments/billed-duration.ts). The ratio is work after return per billed second, pooled
 * over all pairs and bootstrapped over them.
 */
import { billedDurationMs, durationBillingAt } from '../../experiments/billed-duration';
import { scatterChart } from '../figures/charts';
import { fmt, mdTable } from '../format';
import { bootstrappedMetric, type Metric, notMeasurable } from '../metrics';
import { bootstrapReplicates } from '../stats/bootstrap';
import { medianSorted, sortedCopy } from '../stats/quantiles';
import type { AnalysisDefinition } from './analysis';
import { absoluteMargin, ratioMargin } from '../margins';

/** A pause at least this long is a freeze, not throttling (CFS periods are 100 ms) or descheduling. */
export const FREEZE_MS = 500;
/** A freeze that ended at most this long before the reporting request reached the handler was ended by that request. */
export const THAW_WINDOW_MS = 1000;

interface Pair {
  memoryMb: number;
  handlerMs: number | null;
  billedMs: number | null;
  workMs: number;
  requestedMs: number;
  /** Work excluded because it ran after the reporting request thawed the instance. */
  thawMs: number;
}

export const accountingAnalysis: AnalysisDefinition = {
  kind: 'accounting',
  description: 'work done after the handler returned vs time billed (rounded as the provider bills it)',
  create(ctx) {
    const rule = durationBillingAt(ctx.platform.billing.provider, ctx.platform.billing.asOf);
    const pairs = new Map<string, Pair>();
    const pairOf = (key: string, memoryMb: number) => {
      let pair = pairs.get(key);
      if (!pair) {
        pair = { memoryMb, handlerMs: null, billedMs: null, workMs: 0, requestedMs: 0, thawMs: 0 };
        pairs.set(key, pair);
      }
      return pair;
    };
    return {
      add(record, instance) {
        const response = record.response;
        if (record.status !== 'ok' || !response || !instance) return;
        const key = (invocation: number) => `${instance.id}#${invocation}`;
        if (response.task.name === 'background' && response.task.ok) {
          const pair = pairOf(key(response.instance.invocation), instance.memoryMb);
          pair.handlerMs = response.timing.respondedAt - response.timing.receivedAt;
          pair.billedMs = billedDurationMs(rule, pair.handlerMs);
        }
        const report = response.backgroundWork;
        // Only the next invocation's report: it was taken when the first request after the start arrived.
        if (report && report.startedInvocation === response.instance.invocation - 1) {
          const pause = report.lastPause ?? null;
          const thawed =
            pause !== null &&
            pause.resumedAt - pause.at >= FREEZE_MS &&
            pause.resumedAt <= response.timing.receivedAt &&
            response.timing.receivedAt - pause.resumedAt <= THAW_WINDOW_MS;
          const pair = pairOf(key(report.startedInvocation), instance.memoryMb);
          pair.workMs = thawed ? pause.workMsBefore : report.workMs;
          pair.thawMs = thawed ? report.workMs - pause.workMsBefore : 0;
          pair.requestedMs = report.durationMs;
        }
      },
      finish() {
        const complete = [...pairs.values()].filter((p) => p.billedMs !== null && p.requestedMs > 0);
        const started = [...pairs.values()].filter((p) => p.billedMs !== null).length;
        const name = 'accounting.unbilledWorkRatio';
        const description = 'seconds of work done after the handler returned per second billed';
        if (complete.length === 0) {
          const reason = started === 0 ? 'no background task started successfully' : 'no next invocation of an instance reported its background work';
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
        const billing = `${ctx.platform.billing.provider} as of ${ctx.platform.billing.asOf.slice(0, 7)}: ${rule.incrementMs} ms units, at least ${rule.minimumMs} ms`;
        const metrics: Metric[] = [
          bootstrappedMetric(
            { name, description, unit: 'work-seconds per billed second', value: ratioOf(all), n: complete.length, method: `pooled over ${complete.length} (start, next invocation) pairs; billed as ${billing}` },
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
        const thawed = complete.filter((p) => p.thawMs > 0);
        const med = (xs: number[]) => medianSorted(sortedCopy(xs));
        return {
          metrics,
          figures: [
            {
              file: 'accounting-work-vs-billed.svg',
              title: 'Work after return vs time billed',
              caption: 'Each point is one background run: seconds of work done after the handler returned (before the next request) against the seconds billed for the invocation that started it (log scales; the dashed line is work = billed).',
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
                ['memory (MB)', 'runs', 'median work after return (s)', 'median handler (ms)', 'median billed (ms)', 'median requested (s)'],
                memories.map((m) => {
                  const own = complete.filter((p) => p.memoryMb === m);
                  return [m, own.length, fmt(med(own.map((p) => p.workMs)) / 1000), fmt(med(own.map((p) => p.handlerMs!))), fmt(med(own.map((p) => p.billedMs!))), fmt(med(own.map((p) => p.requestedMs)) / 1000)];
                }),
              ),
            },
          ],
          notes: [
            `Work is the time the probe spent inside work chunks between the start's response and the next request; billed time is the starting invocation's handler time rounded as ${billing}.`,
            ...(thawed.length > 0
              ? [`${thawed.length} report(s) showed the instance frozen until the reporting request thawed it; the ${fmt(med(thawed.map((p) => p.thawMs)))} ms (median) of work done after that thaw are left out.`]
              : []),
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
