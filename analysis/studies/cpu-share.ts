/**
 * E7: CPU share. The cpu-share task reports `share`: the fraction of wall time
 * its timestamp loop ran (probe-runtime/probe/tasks/cpu-share.ts). Shares of
 * instances measured alone (label `lone`) are fitted against memory.
 *
 * Co-residency is judged within each `co-resident` step: instances that shared an
 * inferred host with another instance of the step are compared with the control
 * group of the same step, instances of the same memory and hardware class alone on
 * their host. Everything the step's instances have in common (this machine's own
 * contention, a busy region) slows both groups alike, and only the difference is
 * attributed to co-residency.
 */
import { intervalChart, scatterChart } from '../figures/charts';
import { fmt, mdTable } from '../format';
import { bootstrappedMetric, medianMetric, type Metric, notMeasurable } from '../metrics';
import { bootstrapReplicates } from '../stats/bootstrap';
import { NumericBuffer } from '../stats/numeric-buffer';
import { medianSummary, sortedCopy } from '../stats/quantiles';
import { linearFit } from '../stats/regression';
import { hardwareClass } from '../hosts/host-signals';
import { stratifiedComparison } from '../stats/stratified';
import { type AnalysisDefinition, hostsUnusable } from './analysis';
import { StepInstances } from './step-hosts';
import { numericValue } from './task-values';
import { absoluteMargin } from '../margins';

export const SHARE_KEY = 'share';
const LONE = 'lone';
const CO_RESIDENT = 'co-resident';

export const cpuShareAnalysis: AnalysisDefinition = {
  kind: 'cpu-share',
  description: 'CPU share vs memory (linear fit), alone and with co-resident instances',
  create(ctx) {
    const lone = { memory: new NumericBuffer(), share: new NumericBuffer() };
    const coResident = { memory: new NumericBuffer(), share: new NumericBuffer() };
    const together: { step: number; instance: string; memoryMb: number; share: number }[] = [];
    const steps = new StepInstances();
    let missing = 0;
    return {
      add(record, instance) {
        const response = record.response;
        if (record.status !== 'ok' || !response || !instance || response.task.name !== 'cpu-share') return;
        if (record.label === CO_RESIDENT) steps.add(record.step, instance);
        const share = response.task.ok ? numericValue(response.task.values, SHARE_KEY) : null;
        if (share === null) {
          missing += 1;
          return;
        }
        const target = record.label === CO_RESIDENT ? coResident : record.label === LONE ? lone : null;
        if (!target) return;
        target.memory.push(instance.memoryMb);
        target.share.push(share);
        if (target === coResident) together.push({ step: record.step, instance: instance.id, memoryMb: instance.memoryMb, share });
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

        const drop = coResidentDrop();
        metrics.push(drop.metric);
        for (const m of [...new Set(loneMemory)].sort((a, b) => a - b)) {
          const sorted = sortedCopy(loneShare.filter((_, i) => loneMemory[i] === m));
          metrics.push(medianMetric(`cpuShare.loneMedian.m${m}`, `median CPU share at ${m} MB, alone`, 'share', sorted, 'lone measurements'));
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
                ['memory (MB)', 'lone n', 'lone median', 'co-resident steps: n', 'median'],
                byMemory.map((r) => [r.memory, r.loneN, r.loneN ? fmt(r.lone.median) : '—', r.coN, r.coN ? fmt(r.co.median) : '—']),
              ),
            },
            ...drop.sections,
          ],
          notes: [...notes, ...drop.notes],
        };

        /** Shares sharing a host vs the same step's control group (same memory and VM type, alone on a host). */
        function coResidentDrop(): { metric: Metric; sections: { title: string; body: string }[]; notes: string[] } {
          const name = 'cpuShare.coResidentDrop';
          const description = 'relative drop of the CPU share of instances sharing a host: 1 − median(share / median share of the same step\'s control group, instances of the same memory and VM type alone on their host)';
          const none = (reason: string) => ({ metric: notMeasurable(name, description, 'fraction', reason), sections: [], notes: [] });
          if (together.length === 0) return none('no co-resident measurements');
          const hosts = ctx.hosts();
          const unusable = hostsUnusable(hosts);
          if (unusable) return none(`${unusable}; without hosts, instances sharing one cannot be told from the control group`);
          const level = steps.coResidents(hosts);
          const strata = new Map<string, { treated: number[]; reference: number[] }>();
          let shared = 0;
          let alone = 0;
          for (const m of together) {
            const k = level(m.step, m.instance);
            const info = ctx.instances.get(m.instance);
            if (k === null || !info) continue;
            const key = `${m.step}|${m.memoryMb}|${hardwareClass(ctx.instances.fingerprintOf(info))}`;
            const stratum = strata.get(key) ?? { treated: [], reference: [] };
            (k >= 2 ? stratum.treated : stratum.reference).push(m.share);
            strata.set(key, stratum);
            if (k >= 2) shared += 1;
            else alone += 1;
          }
          const counts = `${shared} measurement(s) on a shared host, ${alone} alone on a host`;
          const result = stratifiedComparison([...strata.values()], (share, control) => (control > 0 ? share / control : Number.NaN));
          if (!result) {
            return none(
              shared === 0
                ? `no instance of a co-resident step shared its host (${counts})`
                : `no co-resident step had a control group: an instance of the same memory and VM type alone on another host (${counts})`,
            );
          }
          const replicates = result.replicates.map((r) => 1 - r);
          return {
            metric: bootstrappedMetric(
              {
                name,
                description,
                unit: 'fraction',
                value: 1 - result.value,
                n: result.treated,
                method: `${result.treated} shares on a shared host against the control group of their step (${result.reference} alone on a host, ${result.strata} step/memory/VM-type strata); stratified bootstrap`,
              },
              replicates,
            ),
            sections: [],
            notes: shared > result.treated ? [`${shared - result.treated} co-resident measurement(s) had no control group in their step (same memory and VM type, alone on a host) and were left out.`] : [],
          };
        }
      },
    };
  },
  margins: {
    'cpuShare.memoryCorrelation': absoluteMargin(0.1, 'the claims need r ≥ 0.9; a tenth is the distance between "proportional" and "loosely related"'),
    'cpuShare.sharePerGb': absoluteMargin(0.1, 'a tenth of a CPU per GB, about a sixth of the 2018 Lambda slope (a full vCPU at 1,769 MB)'),
    'cpuShare.coResidentDrop': absoluteMargin(0.1, 'half the 0.2 drop the Azure claim needs'),
  },
};
