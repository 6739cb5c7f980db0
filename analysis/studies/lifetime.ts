/**
 * E5: instance lifetime under steady use. An instance lives from its
 * initialisation (its own clock) to its last answer. It is censored (still
 * alive, as far as the run can tell) when it answered in one of the last bursts
 * of the run: the window is one burst more than the longest run of bursts any
 * instance skipped between two answers, so an instance that merely was not
 * picked for a while is not taken for dead. Survival is estimated with
 * Kaplan–Meier; durations are in platform time (scaled on local runs).
 */
import { survivalChart } from '../figures/charts';
import { fmt, mdTable } from '../format';
import { bootstrappedMetric, type Metric, notMeasurable } from '../metrics';
import { bootstrapReplicates } from '../stats/bootstrap';
import { kaplanMeier, kaplanMeierMedian } from '../stats/kaplan-meier';
import { type AnalysisDefinition, platformMs } from './analysis';
import { ratioMargin } from '../margins';

const HOUR_MS = 3_600_000;
/** Above this many instances the median's bootstrap (for compare) is skipped: the KM band already gives the interval. */
const MAX_BOOTSTRAP_INSTANCES = 5_000;

export const lifetimeAnalysis: AnalysisDefinition = {
  kind: 'lifetime',
  description: 'instance lifetime under steady use (Kaplan–Meier with censoring)',
  create(ctx) {
    const burstOrder = new Map(ctx.index.burstSteps().map((s, i) => [s.index, i]));
    const lastPosition = new Map<string, number>();
    let maxSkip = 0;
    let lastBurstWithAnswers = -1;
    return {
      add(record, instance) {
        if (!instance) return;
        const position = burstOrder.get(record.step)!;
        const previous = lastPosition.get(instance.id);
        if (previous !== undefined && position > previous) maxSkip = Math.max(maxSkip, position - previous - 1);
        if (previous === undefined || position > previous) lastPosition.set(instance.id, position);
        lastBurstWithAnswers = Math.max(lastBurstWithAnswers, position);
      },
      finish() {
        const name = 'lifetime.medianHours';
        const description = 'median instance lifetime (Kaplan–Meier, censored at the end of the run)';
        const instances = ctx.instances.all();
        if (instances.length === 0) return { metrics: [notMeasurable(name, description, 'h', 'no instance answered')], figures: [], sections: [], notes: [] };
        const window = maxSkip + 1;
        const durations = new Float64Array(instances.length);
        const died = new Uint8Array(instances.length);
        instances.forEach((inst, i) => {
          durations[i] = platformMs(ctx, Math.max(0, inst.lastRespondedAt - inst.startedAt)) / HOUR_MS;
          died[i] = lastPosition.get(inst.id)! < lastBurstWithAnswers - window + 1 ? 1 : 0;
        });
        const km = kaplanMeier(durations, died);
        const metrics: Metric[] = [];
        if (km.median === null) {
          metrics.push({
            name,
            description,
            unit: 'h',
            value: km.maxObserved,
            bound: 'lower',
            interval: null,
            method: `survival stayed above 0.5 until the longest observed lifetime (${km.events} deaths, ${km.censored} censored of ${km.n})`,
            n: km.n,
          });
        } else {
          const replicates =
            instances.length <= MAX_BOOTSTRAP_INSTANCES
              ? bootstrapReplicates(instances.length, (idx) => kaplanMeierMedian(durations, died, idx) ?? Number.NaN)
              : undefined;
          const base = {
            name,
            description,
            unit: 'h',
            value: km.median,
            n: km.n,
            method: `Kaplan–Meier median (${km.events} deaths, ${km.censored} censored of ${km.n})`,
          };
          const bandInterval: [number, number] | null = km.medianLower !== null && km.medianUpper !== null ? [km.medianLower, km.medianUpper] : null;
          if (replicates) {
            // The interval reported is the KM band's; the bootstrap replicates serve compare.
            metrics.push({ ...bootstrappedMetric(base, replicates), interval: bandInterval, method: `${base.method}; 95 % CI where the log-log Greenwood band crosses 0.5` });
          } else {
            metrics.push({ ...base, interval: bandInterval, method: `${base.method}; 95 % CI where the log-log Greenwood band crosses 0.5` });
          }
        }
        metrics.push({ name: 'lifetime.deaths', description: 'instances seen to end before the run did', unit: 'instances', value: km.events, interval: null, method: 'observed', n: km.n });
        const scale = ctx.platform.timeScale !== 1 ? ` Durations are platform time: measured time × ${ctx.platform.timeScale}.` : '';
        return {
          metrics,
          figures: [
            {
              file: 'lifetime-survival.svg',
              title: 'Instance survival (Kaplan–Meier)',
              caption: `Fraction of instances still alive against age, with the pointwise 95 % band; instances alive at the end of the run are censored.${scale}`,
              spec: survivalChart({ title: 'Instance survival', xTitle: 'age (hours)', steps: km.steps }),
            },
          ],
          sections: [
            {
              title: 'Lifetimes',
              body: `${mdTable(
                ['instances', 'seen to end', 'censored', 'longest observed (h)', 'median (h)'],
                [[km.n, km.events, km.censored, fmt(km.maxObserved), km.median === null ? `> ${fmt(km.maxObserved)}` : fmt(km.median)]],
              )}\n\nAn instance counts as ended when it did not answer in the last ${window} burst(s) (one more than the longest run of bursts any instance skipped).${scale}`,
            },
          ],
          notes: [],
        };
      },
    };
  },
  margins: {
    'lifetime.medianHours': ratioMargin(0.25, 'half the ±50 % of the paper\'s 6.2-hour median lifetime claim'),
    'lifetime.deaths': ratioMargin(0.25, 'as for the median lifetime: deaths seen scale with how long instances live'),
  },
};
