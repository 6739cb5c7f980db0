/**
 * E5: instance lifetime under steady use. An instance lives from its
 * initialisation (its own clock) to its last answer. It is censored (still
 * alive, as far as the run can tell) when it answered in one of the last bursts
 * of the run: the window is one burst more than the longest run of bursts any
 * instance skipped between two answers, so an instance that merely was not
 * picked for a while is not taken for dead.
 *
 * Instances also end for a competing reason: a surplus instance the bursts no
 * longer need sits idle until the idle timeout reaps it. Such an end says nothing
 * about the lifetime limit, so it is censored (a competing risk). The two are told
 * apart by what the function's next burst needed: an instance retired by its lifetime
 * while the function was busy had to be replaced by a cold start in that burst; a
 * surplus one did not. A cold start in that burst replaces an ended instance unless an
 * instance that was alive (it answered before and answers again later) sat that burst out:
 * then the platform started a spare beside it rather than a replacement. Of the
 * instances last seen in one burst, as many as the next burst of their function had
 * such replacements count as lifetime ends (the oldest first, since the lifetime limit
 * takes the oldest); the others are censored at their last answer. Survival is estimated with Kaplan–Meier; durations are in platform time
 * (scaled on local runs).
 */
import { survivalChart } from '../figures/charts';
import { fmt, mdTable } from '../format';
import { bootstrappedMetric, type Metric, notMeasurable } from '../metrics';
import { bootstrapReplicates } from '../stats/bootstrap';
import { kaplanMeier, kaplanMeierMedian } from '../stats/kaplan-meier';
import { type AnalysisDefinition, platformMs } from './analysis';
import { absoluteMargin, ratioMargin } from '../margins';

const HOUR_MS = 3_600_000;
/** Above this many instances the median's bootstrap (for compare) is skipped: the KM band already gives the interval. */
const MAX_BOOTSTRAP_INSTANCES = 5_000;

export const lifetimeAnalysis: AnalysisDefinition = {
  kind: 'lifetime',
  description: 'instance lifetime under steady use (Kaplan–Meier with censoring)',
  create(ctx) {
    const burstOrder = new Map(ctx.index.burstSteps().map((s, i) => [s.index, i]));
    const lastPosition = new Map<string, number>();
    /** Every burst position each instance answered in. */
    const answeredAt = new Map<string, Set<number>>();
    /** Cold starts per function and burst position; the positions each function was asked at. */
    const coldStarts = new Map<string, number>();
    const positionsOf = new Map<string, Set<number>>();
    let maxSkip = 0;
    let lastBurstWithAnswers = -1;
    return {
      add(record, instance) {
        const position = burstOrder.get(record.step)!;
        const asked = positionsOf.get(record.target) ?? new Set<number>();
        asked.add(position);
        positionsOf.set(record.target, asked);
        if (!instance) return;
        const seen = answeredAt.get(instance.id) ?? new Set<number>();
        seen.add(position);
        answeredAt.set(instance.id, seen);
        if (record.response?.instance.cold) coldStarts.set(`${record.target}#${position}`, (coldStarts.get(`${record.target}#${position}`) ?? 0) + 1);
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
        // Instances seen to end, grouped by function and the burst they were last seen in.
        const ended = new Map<string, number[]>();
        instances.forEach((inst, i) => {
          durations[i] = platformMs(ctx, Math.max(0, inst.lastRespondedAt - inst.startedAt)) / HOUR_MS;
          const last = lastPosition.get(inst.id)!;
          if (last >= lastBurstWithAnswers - window + 1) return;
          const key = `${inst.target}#${last}`;
          const members = ended.get(key) ?? [];
          members.push(i);
          ended.set(key, members);
        });
        // Instances alive but unused in a burst of their function: they answered before it and again after it.
        const satOut = new Map<string, number>();
        for (const inst of instances) {
          const seen = [...answeredAt.get(inst.id)!].sort((a, b) => a - b);
          const asked = positionsOf.get(inst.target) ?? new Set<number>();
          for (let k = 1; k < seen.length; k++) {
            for (let q = seen[k - 1]! + 1; q < seen[k]!; q++) if (asked.has(q)) satOut.set(`${inst.target}#${q}`, (satOut.get(`${inst.target}#${q}`) ?? 0) + 1);
          }
        }
        let surplus = 0;
        for (const [key, members] of ended) {
          const [target, last] = [key.slice(0, key.lastIndexOf('#')), Number(key.slice(key.lastIndexOf('#') + 1))];
          const next = Math.min(...[...(positionsOf.get(target) ?? [])].filter((p) => p > last));
          const nextKey = `${target}#${next}`;
          const replaced = Number.isFinite(next) ? Math.max(0, (coldStarts.get(nextKey) ?? 0) - (satOut.get(nextKey) ?? 0)) : members.length;
          const oldestFirst = [...members].sort((a, b) => durations[b]! - durations[a]!);
          oldestFirst.forEach((i, k) => (died[i] = k < replaced ? 1 : 0));
          surplus += Math.max(0, members.length - replaced);
        }
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
        metrics.push({ name: 'lifetime.deaths', description: 'instances seen to end by their lifetime before the run did (replaced by a cold start in the next burst)', unit: 'instances', value: km.events, interval: null, method: 'observed', n: km.n });
        metrics.push({ name: 'lifetime.surplusEnds', description: 'instances that ended while surplus (the next burst needed no replacement): censored as a competing risk', unit: 'instances', value: surplus, interval: null, method: 'observed', n: km.n });
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
                ['instances', 'ended by lifetime', 'ended while surplus (censored)', 'censored in all', 'longest observed (h)', 'median (h)'],
                [[km.n, km.events, surplus, km.censored, fmt(km.maxObserved), km.median === null ? `> ${fmt(km.maxObserved)}` : fmt(km.median)]],
              )}\n\nAn instance counts as ended when it did not answer in the last ${window} burst(s) (one more than the longest run of bursts any instance skipped). It ended by its lifetime when the next burst of its function had to start an instance in its place; otherwise it was surplus and ended idle, a competing risk that is censored.${scale}`,
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
    'lifetime.surplusEnds': absoluteMargin(2, 'a count that is often 0 (so not a ratio); each surplus end censors one instance, and two either way leaves the lifetime estimate\'s censoring as it was'),
  },
};
