/**
 * E7: CPU share. The cpu-share task reports `share`: the fraction of wall time
 * its timestamp loop ran (probe-runtime/probe/tasks/cpu-share.ts). Shares of
 * instances measured alone (label `lone`) are fitted against memory; shares
 * measured with co-resident instances (label `co-resident`) are compared with
 * the lone median at the same memory size.
 */
import { intervalChart, scatterChart } from '../figures/charts';
import { fmt, mdTable } from '../format';
import { bootstrappedMetric, type Metric, notMeasurable } from '../metrics';
import { bootstrapReplicates } from '../stats/bootstrap';
import { NumericBuffer } from '../stats/numeric-buffer';
import { medianSorted, medianSummary, sortedCopy } from '../stats/quantiles';
import { linearFit } from '../stats/regression';
import type { AnalysisDefinition } from './analysis';
import { numericValue } from './task-values';
import { absoluteMargin } from '../margins';

export const SHARE_KEY = 'share';
const LONE = 'lone';
const CO_RESIDENT = 'co-resident';

export const cpuShareAnalysis: AnalysisDefinition = {
  kind: 'cpu-share',
  description: 'CPU share vs memory (linear fit), alone and with co-resident instances',
  create() {
    const lone = { memory: new NumericBuffer(), share: new NumericBuffer() };
    const coResident = { memory: new NumericBuffer(), share: new NumericBuffer() };
    let missing = 0;
    return {
      add(record, instance) {
        const response = record.response;
        if (record.status !== 'ok' || !response || !instance || response.task.name !== 'cpu-share') return;
        const share = response.task.ok ? numericValue(response.task.values, SHARE_KEY) : null;
        if (share === null) {
          missing += 1;
          return;
        }
        const target = record.label === CO_RESIDENT ? coResident : record.label === LONE ? lone : null;
        if (!target) return;
        target.memory.push(instance.memoryMb);
        target.share.push(share);
      },
      finish() {
        const loneMemory = lone.memory.values();
        const loneShare = lone.share.values();
        const coMemory = coResident.memory.values();
        const coShare = coResident.share.values();
        const metrics: Metric[] = [];
        const corrName = 'cpuShare.memoryCorrelation';
        const corrDescription = 'Pearson correlation of CPU share with memory, instances alone';
        const fit = linearFit(loneMemory, loneShare);
        if (loneShare.length < 3 || !Number.isFinite(fit.r)) {
          const why = loneShare.length < 3 ? `only ${loneShare.length} lone measurement(s)` : 'memory or share did not vary';
          metrics.push(notMeasurable(corrName, corrDescription, 'Pearson r', why));
        } else {
          const replicates = bootstrapReplicates(loneShare.length, (idx) => linearFit(loneMemory, loneShare, idx).r);
          metrics.push(bootstrappedMetric({ name: corrName, description: corrDescription, unit: 'Pearson r', value: fit.r, n: fit.n, method: `Pearson r over ${fit.n} lone measurements` }, replicates));
          const slopeReplicates = bootstrapReplicates(loneShare.length, (idx) => linearFit(loneMemory, loneShare, idx).slope * 1024);
          metrics.push(bootstrappedMetric({ name: 'cpuShare.sharePerGb', description: 'fitted increase of CPU share per GB of memory, instances alone', unit: 'share per GB', value: fit.slope * 1024, n: fit.n, method: 'least-squares slope' }, slopeReplicates));
        }

        // Co-resident shares relative to the lone median at the same memory size.
        const loneMedianAt = new Map<number, number>();
        for (const m of new Set(loneMemory)) loneMedianAt.set(m, medianSorted(sortedCopy(loneShare.filter((_, i) => loneMemory[i] === m))));
        const relative = new NumericBuffer();
        coShare.forEach((s, i) => {
          const base = loneMedianAt.get(coMemory[i]!);
          if (base !== undefined && base > 0) relative.push(s / base);
        });
        const dropName = 'cpuShare.coResidentDrop';
        const dropDescription = 'relative drop of the CPU share with co-resident instances: 1 − median(co-resident share / lone median at the same memory)';
        const rel = relative.values();
        if (rel.length === 0) {
          metrics.push(notMeasurable(dropName, dropDescription, 'fraction', coShare.length === 0 ? 'no co-resident measurements' : 'no lone measurement at the co-resident memory sizes'));
        } else {
          const replicates = bootstrapReplicates(rel.length, (idx) => 1 - medianSorted(sortedCopy(Array.from(idx, (i) => rel[i]!))));
          metrics.push(bootstrappedMetric({ name: dropName, description: dropDescription, unit: 'fraction', value: 1 - medianSorted(sortedCopy(rel)), n: rel.length, method: `over ${rel.length} co-resident measurements` }, replicates));
        }

        const memories = [...new Set([...loneMemory, ...coMemory])].sort((a, b) => a - b);
        const byMemory = memories.map((m) => ({
          memory: m,
          lone: medianSummary(sortedCopy(loneShare.filter((_, i) => loneMemory[i] === m))),
          loneN: loneMemory.filter((x) => x === m).length,
          co: medianSummary(sortedCopy(coShare.filter((_, i) => coMemory[i] === m))),
          coN: coMemory.filter((x) => x === m).length,
        }));
        const notes = missing > 0 ? [`${missing} cpu-share responses had no numeric \`${SHARE_KEY}\` value (a failed task) and were left out.`] : [];
        return {
          metrics,
          figures: [
            {
              file: 'cpu-share-vs-memory.svg',
              title: 'CPU share vs memory',
              caption: `Each point is one measurement; the line is the least-squares fit to the lone measurements (share = ${fmt(fit.intercept)} + ${fmt(fit.slope * 1024)} × GB).`,
              spec: scatterChart({
                title: 'CPU share by memory size',
                xTitle: 'memory (MB)',
                yTitle: 'CPU share',
                points: [
                  ...Array.from(loneShare, (y, i) => ({ x: loneMemory[i]!, y, series: LONE })),
                  ...Array.from(coShare, (y, i) => ({ x: coMemory[i]!, y, series: CO_RESIDENT })),
                ],
                fit: loneShare.length >= 2 ? { intercept: fit.intercept, slope: fit.slope, label: 'fit (lone)' } : null,
              }),
            },
            {
              file: 'cpu-share-medians.svg',
              title: 'Median CPU share, alone and co-resident',
              caption: 'Median share per memory size with 95 % order-statistic intervals.',
              spec: intervalChart({
                title: 'Median CPU share',
                xTitle: 'memory (MB)',
                yTitle: 'median CPU share',
                points: byMemory.flatMap((r) => [
                  ...(r.loneN > 0 ? [{ x: r.memory, y: r.lone.median, lower: r.lone.lower, upper: r.lone.upper, series: LONE, n: r.loneN }] : []),
                  ...(r.coN > 0 ? [{ x: r.memory, y: r.co.median, lower: r.co.lower, upper: r.co.upper, series: CO_RESIDENT, n: r.coN }] : []),
                ]),
              }),
            },
          ],
          sections: [
            {
              title: 'CPU share by memory',
              body: mdTable(
                ['memory (MB)', 'lone n', 'lone median', 'co-resident n', 'co-resident median'],
                byMemory.map((r) => [r.memory, r.loneN, r.loneN ? fmt(r.lone.median) : '—', r.coN, r.coN ? fmt(r.co.median) : '—']),
              ),
            },
          ],
          notes,
        };
      },
    };
  },
  margins: {
    'cpuShare.memoryCorrelation': absoluteMargin(0.1, 'the claims need r ≥ 0.9; a tenth is the distance between "proportional" and "loosely related"'),
    'cpuShare.sharePerGb': absoluteMargin(0.1, 'a tenth of a CPU per GB, about a sixth of the 2018 Lambda slope (a full vCPU at 1,769 MB)'),
    'cpuShare.coResidentDrop': absoluteMargin(0.1, 'half the 0.2 drop the Azure claim needs'),
  },
};
