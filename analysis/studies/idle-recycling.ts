/**
 * E6: idle recycling. In a burst labelled `after-idle`, every instance that had
 * answered the same function before is a trial. It survived the idle gap when
 * it answers again in that burst. It was recycled when it does not and the
 * burst had to start a new instance (no idle survivor was left to take that
 * request). When it does not answer and no new instance started, its fate is
 * unknown: warm requests are fast, so a platform may serve the whole burst with
 * one survivor in turn and never reach the others; such instances are counted
 * apart and left out of the fractions. (Requests are not trials either, for the
 * same reason.) The gap of a trial is measured from timestamps, from the
 * instance's last answer to the burst's first request, in platform time; a
 * function's gap is the median over its instances.
 */
import { intervalChart } from '../figures/charts';
import { fmt, fmtInterval, mdTable } from '../format';
import { type Metric, notMeasurable } from '../metrics';
import { wilsonInterval } from '../stats/proportion';
import { medianSorted, sortedCopy } from '../stats/quantiles';
import { type AnalysisDefinition, platformMs } from './analysis';
import { absoluteMargin, exactMargin, ratioMargin } from '../margins';

const AFTER_IDLE_LABEL = 'after-idle';

export interface GapGroup {
  function: string;
  gapMinutes: number;
  /** Instances whose fate is known: survived + recycled. */
  trials: number;
  survived: number;
  /** Idle instances neither seen again nor shown dead (no new instance was needed). */
  unknown?: number;
}

/** Trials at gaps within this distance of a claim's gap (the larger of 1 min and 5 %) answer it. */
export function gapWindowMinutes(target: number): number {
  return Math.max(1, target * 0.05);
}

interface StepSightings {
  step: number;
  afterIdle: boolean;
  firstSentAt: number;
  /** Instance → its last answer (driver receive time) in this step. */
  answered: Map<string, number>;
}

export const idleRecyclingAnalysis: AnalysisDefinition = {
  kind: 'idle-recycling',
  description: 'probability that an instance survives an idle gap, and the idle timeout',
  create(ctx) {
    // Per function: instances that answered in earlier steps (with their last answer), and the current step.
    const known = new Map<string, Map<string, number>>();
    const current = new Map<string, StepSightings>();
    const groups: GapGroup[] = [];
    const flush = (fn: string, sightings: StepSightings) => {
      const before = known.get(fn) ?? new Map<string, number>();
      if (sightings.afterIdle && before.size > 0) {
        const gaps = [...before.values()].map((last) => platformMs(ctx, sightings.firstSentAt - last) / 60_000);
        const survived = [...before.keys()].filter((id) => sightings.answered.has(id)).length;
        const newInstance = [...sightings.answered.keys()].some((id) => !before.has(id));
        const unknown = newInstance ? 0 : before.size - survived;
        groups.push({ function: fn, gapMinutes: medianSorted(sortedCopy(gaps)), trials: before.size - unknown, survived, unknown });
      }
      for (const [id, at] of sightings.answered) before.set(id, at);
      known.set(fn, before);
    };
    return {
      add(record, instance) {
        const fn = record.target;
        let sightings = current.get(fn);
        if (sightings && sightings.step !== record.step) flush(fn, sightings);
        if (!sightings || sightings.step !== record.step) {
          sightings = { step: record.step, afterIdle: record.label === AFTER_IDLE_LABEL, firstSentAt: Number.POSITIVE_INFINITY, answered: new Map() };
          current.set(fn, sightings);
        }
        if (record.sentAt !== null) sightings.firstSentAt = Math.min(sightings.firstSentAt, record.sentAt);
        if (instance && record.receivedAt !== null) sightings.answered.set(instance.id, Math.max(sightings.answered.get(instance.id) ?? 0, record.receivedAt));
      },
      finish() {
        for (const [fn, sightings] of current) flush(fn, sightings);
        current.clear();
        groups.sort((a, b) => a.gapMinutes - b.gapMinutes);
        const unknown = groups.reduce((sum, g) => sum + (g.unknown ?? 0), 0);
        const known = groups.filter((g) => g.trials > 0);
        const metrics = idleMetrics(known);
        const timeout = metrics.find((m) => m.name === 'idle.estimatedTimeoutMinutes');
        const points = known.map((g) => {
          const ci = wilsonInterval(g.survived, g.trials);
          return { x: g.gapMinutes, y: g.survived / g.trials, lower: ci?.lower ?? null, upper: ci?.upper ?? null, series: 'survived', n: g.trials };
        });
        const scale = ctx.platform.timeScale !== 1 ? ` Gaps are platform time: measured × ${ctx.platform.timeScale}.` : '';
        const notes = unknown > 0 ? [`${unknown} idle instance(s) were neither seen again nor shown recycled (the burst needed no new instance) and are left out of the survival fractions.`] : [];
        return {
          metrics,
          figures:
            known.length === 0
              ? []
              : [
                  {
                    file: 'idle-survival-by-gap.svg',
                    title: 'Survival of idle instances by gap',
                    caption: `Fraction of idle instances that answered again after the gap, with Wilson 95 % intervals; the dashed line is the estimated idle timeout.${scale}`,
                    spec: intervalChart({
                      title: 'Idle instance survival',
                      xTitle: 'idle gap (minutes)',
                      yTitle: 'fraction survived',
                      points,
                      ruleX: typeof timeout?.value === 'number' ? { value: timeout.value, label: `estimated timeout ${fmt(timeout.value)} min` } : null,
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
                      ['function', 'measured gap (min)', 'idle instances', 'survived', 'recycled', 'not reached', 'fraction survived', 'Wilson 95 % CI'],
                      groups.map((g) => {
                        const ci = wilsonInterval(g.survived, g.trials);
                        const fraction = g.trials > 0 ? fmt(g.survived / g.trials) : '—';
                        return [g.function, fmt(g.gapMinutes), g.trials + (g.unknown ?? 0), g.survived, g.trials - g.survived, g.unknown ?? 0, fraction, fmtInterval(ci ? [ci.lower, ci.upper] : null)];
                      }),
                    )}\n\nAn idle instance that did not answer counts as recycled only when the burst had to start a new instance; otherwise it was not reached (a survivor may serve the whole burst in turn) and is left out of the fractions.${scale}`,
            },
          ],
          notes,
        };
      },
    };
  },
  margins: {
    'idle.maxSurvivedGapMinutes': ratioMargin(0.1, 'about 2.6 min at the paper\'s 26-27 min timeout: wider than the 1-minute spacing of the gaps tested around it, within the claim\'s ±15 %'),
    'idle.estimatedTimeoutMinutes': ratioMargin(0.1, 'as for the longest survived gap'),
    'idle.recycledFractionAt26Min': absoluteMargin(0.2, 'with a few instances per gap a fraction moves in steps of a third or more; the claims allow ±0.2 (80 % ± 25 %) and ±0.09'),
    'idle.survivingFractionAt120Min': absoluteMargin(0.2, 'as for the recycled fraction at 26 min'),
    'idle.consistentTimeout': exactMargin('a yes/no answer'),
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
    return { name: spec[0], description: spec[1], unit: spec[2], value: successes / g.trials, interval: [ci.lower, ci.upper], method: `${successes} of ${g.trials} idle instances after ${fmt(g.gapMinutes)} min; Wilson 95 % CI`, n: g.trials };
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
