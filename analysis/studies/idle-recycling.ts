/**
 * E6: idle recycling. Every request in a burst labelled `after-idle` is a
 * trial: it either reached an instance that had already answered the same
 * function in an earlier step (the instance survived the idle gap) or a new
 * one (the old ones were recycled). The gap is measured from timestamps: from
 * the function's last answer before the burst to the request's send time, in
 * platform time. Trials are grouped per function (each function tests one gap).
 */
import { intervalChart } from '../figures/charts';
import { fmt, fmtInterval, mdTable } from '../format';
import { type Metric, notMeasurable } from '../metrics';
import { wilsonInterval } from '../stats/proportion';
import { medianSorted, sortedCopy } from '../stats/quantiles';
import { type AnalysisDefinition, platformMs } from './analysis';

const AFTER_IDLE_LABEL = 'after-idle';

export interface GapGroup {
  function: string;
  gapMinutes: number;
  trials: number;
  survived: number;
}

/** Trials at gaps within this distance of a claim's gap (the larger of 1 min and 5 %) answer it. */
export function gapWindowMinutes(target: number): number {
  return Math.max(1, target * 0.05);
}

export const idleRecyclingAnalysis: AnalysisDefinition = {
  kind: 'idle-recycling',
  description: 'probability that an instance survives an idle gap, and the idle timeout',
  create(ctx) {
    // Per function: the latest answer in steps before the current one, and in the current step.
    const activity = new Map<string, { step: number; current: number; before: number }>();
    const trials = new Map<string, { gaps: number[]; survived: number }>();
    return {
      add(record, instance) {
        const fn = record.target;
        let a = activity.get(fn);
        if (!a) activity.set(fn, (a = { step: record.step, current: Number.NEGATIVE_INFINITY, before: Number.NEGATIVE_INFINITY }));
        if (record.step !== a.step) {
          a.before = Math.max(a.before, a.current);
          a.current = Number.NEGATIVE_INFINITY;
          a.step = record.step;
        }
        if (record.status === 'ok' && record.receivedAt !== null) a.current = Math.max(a.current, record.receivedAt);
        if (record.label !== AFTER_IDLE_LABEL || !instance || record.sentAt === null || !Number.isFinite(a.before)) return;
        const t = trials.get(fn) ?? { gaps: [], survived: 0 };
        t.gaps.push(platformMs(ctx, record.sentAt - a.before) / 60_000);
        if (instance.firstStep < record.step) t.survived += 1;
        trials.set(fn, t);
      },
      finish() {
        const groups: GapGroup[] = [...trials.entries()]
          .map(([fn, t]) => ({ function: fn, gapMinutes: medianSorted(sortedCopy(t.gaps)), trials: t.gaps.length, survived: t.survived }))
          .sort((a, b) => a.gapMinutes - b.gapMinutes);
        const metrics = idleMetrics(groups);
        const timeout = metrics.find((m) => m.name === 'idle.estimatedTimeoutMinutes');
        const points = groups.map((g) => {
          const ci = wilsonInterval(g.survived, g.trials);
          return { x: g.gapMinutes, y: g.survived / g.trials, lower: ci?.lower ?? null, upper: ci?.upper ?? null, series: 'survived' };
        });
        const scale = ctx.platform.timeScale !== 1 ? ` Gaps are platform time: measured × ${ctx.platform.timeScale}.` : '';
        return {
          metrics,
          figures:
            groups.length === 0
              ? []
              : [
                  {
                    file: 'idle-survival-by-gap.svg',
                    title: 'Survival of idle instances by gap',
                    caption: `Fraction of requests after an idle gap that reached a surviving instance, with Wilson 95 % intervals; the dashed line is the estimated idle timeout.${scale}`,
                    spec: intervalChart({
                      title: 'Idle instance survival',
                      xTitle: 'idle gap (minutes)',
                      yTitle: 'fraction survived',
                      points,
                      ruleX: typeof timeout?.value === 'number' ? timeout.value : null,
                    }),
                  },
                ],
          sections: [
            {
              title: 'Idle gaps',
              body:
                groups.length === 0
                  ? `No \`${AFTER_IDLE_LABEL}\` burst reached an instance.`
                  : `${mdTable(
                      ['function', 'measured gap (min)', 'requests', 'survived', 'fraction', 'Wilson 95 % CI'],
                      groups.map((g) => {
                        const ci = wilsonInterval(g.survived, g.trials);
                        return [g.function, fmt(g.gapMinutes), g.trials, g.survived, fmt(g.survived / g.trials), fmtInterval(ci ? [ci.lower, ci.upper] : null)];
                      }),
                    )}${scale ? `\n\n${scale.trim()}` : ''}`,
            },
          ],
          notes: [],
        };
      },
    };
  },
};

/** The idle-recycling metrics from per-gap survival (exported for tests). */
export function idleMetrics(groups: readonly GapGroup[]): Metric[] {
  const names = {
    max: ['idle.maxSurvivedGapMinutes', 'longest measured idle gap after which an instance still answered', 'min'],
    timeout: ['idle.estimatedTimeoutMinutes', 'estimated idle timeout: between the last gap most instances survived and the next one tested', 'min'],
    at26: ['idle.recycledFractionAt26Min', 'fraction of instances recycled after about 26 minutes idle', 'fraction'],
    at120: ['idle.survivingFractionAt120Min', 'fraction of instances still alive after about 120 minutes idle', 'fraction'],
    consistent: ['idle.consistentTimeout', 'whether survival drops from (nearly) all to (nearly) none at one gap', ''],
  } as const;
  if (groups.length === 0) return Object.values(names).map(([n, d, u]) => notMeasurable(n, d, u, `no \`${AFTER_IDLE_LABEL}\` request reached an instance`));
  const fraction = (g: GapGroup) => g.survived / g.trials;
  const metrics: Metric[] = [];

  const survivedGroups = groups.filter((g) => g.survived > 0);
  if (survivedGroups.length === 0) {
    metrics.push(notMeasurable(names.max[0], names.max[1], names.max[2], `no instance survived even the shortest gap tested (${fmt(groups[0]!.gapMinutes)} min)`));
  } else {
    const longest = survivedGroups[survivedGroups.length - 1]!;
    const nextDead = groups.find((g) => g.gapMinutes > longest.gapMinutes && g.survived === 0);
    metrics.push(
      nextDead
        ? { name: names.max[0], description: names.max[1], unit: names.max[2], value: longest.gapMinutes, interval: [longest.gapMinutes, nextDead.gapMinutes], method: 'observed; the interval brackets the timeout between this gap and the next gap tested where none survived', n: longest.trials }
        : { name: names.max[0], description: names.max[1], unit: names.max[2], value: longest.gapMinutes, bound: 'lower', interval: null, method: 'observed; instances survived the longest gap tested, so the timeout is at least this', n: longest.trials },
    );
  }

  const lastMostly = groups.reduce<GapGroup | null>((last, g) => (fraction(g) >= 0.5 ? g : last), null);
  const firstMostlyGone = lastMostly ? groups.find((g) => g.gapMinutes > lastMostly.gapMinutes && fraction(g) < 0.5) : groups[0];
  if (!lastMostly) {
    metrics.push(notMeasurable(names.timeout[0], names.timeout[1], names.timeout[2], `most instances were recycled at every gap tested (shortest ${fmt(groups[0]!.gapMinutes)} min)`));
  } else if (!firstMostlyGone) {
    metrics.push({ name: names.timeout[0], description: names.timeout[1], unit: names.timeout[2], value: lastMostly.gapMinutes, bound: 'lower', interval: null, method: 'most instances survived every gap tested', n: groups.length });
  } else {
    metrics.push({
      name: names.timeout[0],
      description: names.timeout[1],
      unit: names.timeout[2],
      value: (lastMostly.gapMinutes + firstMostlyGone.gapMinutes) / 2,
      interval: [lastMostly.gapMinutes, firstMostlyGone.gapMinutes],
      method: 'midpoint between the last gap with survival ≥ 0.5 and the next gap; the interval is that bracket',
      n: groups.length,
    });
  }

  const near = (target: number) => {
    const window = gapWindowMinutes(target);
    const candidates = groups.filter((g) => Math.abs(g.gapMinutes - target) <= window);
    return candidates.sort((a, b) => Math.abs(a.gapMinutes - target) - Math.abs(b.gapMinutes - target))[0] ?? null;
  };
  const tested = groups.map((g) => fmt(g.gapMinutes)).join(', ');
  const fractionMetric = (spec: readonly [string, string, string], target: number, recycled: boolean): Metric => {
    const g = near(target);
    if (!g) return notMeasurable(spec[0], spec[1], spec[2], `no gap within ${fmt(gapWindowMinutes(target))} min of ${target} min was tested (gaps measured: ${tested} min)`);
    const successes = recycled ? g.trials - g.survived : g.survived;
    const ci = wilsonInterval(successes, g.trials)!;
    return { name: spec[0], description: spec[1], unit: spec[2], value: successes / g.trials, interval: [ci.lower, ci.upper], method: `${successes} of ${g.trials} requests after ${fmt(g.gapMinutes)} min; Wilson 95 % CI`, n: g.trials };
  };
  metrics.push(fractionMetric(names.at26, 26, true), fractionMetric(names.at120, 120, false));

  if (groups.length < 3) {
    metrics.push(notMeasurable(names.consistent[0], names.consistent[1], names.consistent[2], 'fewer than three gaps were tested'));
  } else {
    const intermediate = groups.filter((g) => fraction(g) > 0.1 && fraction(g) < 0.9).length;
    const firstGone = groups.findIndex((g) => fraction(g) <= 0.1);
    const revived = firstGone >= 0 && groups.slice(firstGone + 1).some((g) => fraction(g) >= 0.5);
    metrics.push({
      name: names.consistent[0],
      description: names.consistent[1],
      unit: names.consistent[2],
      value: intermediate <= 1 && !revived,
      interval: null,
      method: `consistent when at most one gap has survival strictly between 10 % and 90 % (${intermediate} here) and no gap after survival fell to ≤ 10 % has survival ≥ 50 %${revived ? ' (one does)' : ''}`,
      n: groups.length,
    });
  }
  return metrics;
}
