/**
 * E9: update consistency. After an update step of a function, every response
 * for that function should report the generation the update set (the plan's
 * `g<index>`); a response with another generation came from a stale instance.
 * Time since the update is measured from the first request sent after it (the
 * records carry no update timestamp), in platform time.
 */
import { intervalChart } from '../figures/charts';
import { fmt, mdTable } from '../format';
import { type Metric, notMeasurable } from '../metrics';
import { NumericBuffer } from '../stats/numeric-buffer';
import { wilsonInterval } from '../stats/proportion';
import { type AnalysisDefinition, platformMs } from './analysis';
import { absoluteMargin, ratioMargin } from '../margins';

export const updateConsistencyAnalysis: AnalysisDefinition = {
  kind: 'update-consistency',
  description: 'responses from instances with an outdated configuration vs time since the update',
  create(ctx) {
    const updateOf = new NumericBuffer();
    const sentAt = new NumericBuffer();
    const stale = new NumericBuffer();
    const burstOf = new NumericBuffer();
    const firstSentAfter = new Map<number, number>();
    let unknownGeneration = 0;
    return {
      add(record) {
        const response = record.response;
        if (record.status !== 'ok' || !response || record.sentAt === null) return;
        const update = ctx.index.lastUpdateBefore(record.target, record.step);
        if (update === null) return;
        if (response.generation === null) {
          unknownGeneration += 1;
          return;
        }
        const expected = ctx.index.generationAt(record.target, record.step);
        updateOf.push(update);
        sentAt.push(record.sentAt);
        stale.push(response.generation !== expected ? 1 : 0);
        burstOf.push(record.step);
        firstSentAfter.set(update, Math.min(firstSentAfter.get(update) ?? Number.POSITIVE_INFINITY, record.sentAt));
      },
      finish() {
        const names = {
          count: ['update.staleResponses', 'responses after an update that came from an instance with the old configuration', 'responses'],
          fraction: ['update.staleFraction', 'fraction of responses after an update that came from a stale instance', 'fraction'],
          window: ['update.staleWindowSeconds', 'longest time after an update at which a stale response was seen', 's'],
        } as const;
        const n = stale.length;
        const notes = unknownGeneration > 0 ? [`${unknownGeneration} responses reported no generation and were left out.`] : [];
        if (n === 0) {
          return { metrics: Object.values(names).map(([a, b, c]) => notMeasurable(a, b, c, 'no response after an update reported its generation')), figures: [], sections: [], notes };
        }
        const updates = updateOf.values();
        const sent = sentAt.values();
        const staleFlags = stale.values();
        const bursts = burstOf.values();
        const since = Array.from(sent, (t, i) => platformMs(ctx, t - firstSentAfter.get(updates[i]!)!) / 1000);
        const staleCount = staleFlags.reduce((s, v) => s + v, 0);
        const ci = wilsonInterval(staleCount, n)!;
        const staleSince = since.filter((_, i) => staleFlags[i] === 1);
        const metrics: Metric[] = [
          { name: names.count[0], description: names.count[1], unit: names.count[2], value: staleCount, interval: null, method: `observed count over ${n} responses after ${firstSentAfter.size} update(s)`, n },
          { name: names.fraction[0], description: names.fraction[1], unit: names.fraction[2], value: staleCount / n, interval: [ci.lower, ci.upper], method: 'Wilson 95 % CI', n },
          staleSince.length === 0
            ? notMeasurable(names.window[0], names.window[1], names.window[2], 'no stale response was seen')
            : { name: names.window[0], description: names.window[1], unit: names.window[2], value: Math.max(...staleSince), interval: null, method: 'observed maximum', n: staleSince.length },
        ];
        // One point per burst: its median time since the update and its stale fraction.
        const byBurst = new Map<number, { since: number[]; stale: number }>();
        bursts.forEach((b, i) => {
          const entry = byBurst.get(b) ?? { since: [], stale: 0 };
          entry.since.push(since[i]!);
          entry.stale += staleFlags[i]!;
          byBurst.set(b, entry);
        });
        const rows = [...byBurst.entries()]
          .map(([b, e]) => ({ burst: b, since: e.since.reduce((s, v) => s + v, 0) / e.since.length, n: e.since.length, stale: e.stale }))
          .sort((a, b) => a.since - b.since);
        const points = rows.map((r) => {
          const w = wilsonInterval(r.stale, r.n);
          return { x: r.since, y: r.stale / r.n, lower: w?.lower ?? null, upper: w?.upper ?? null, series: 'stale fraction', n: r.n };
        });
        const scale = ctx.platform.timeScale !== 1 ? ` Times are platform time: measured × ${ctx.platform.timeScale}.` : '';
        return {
          metrics,
          figures: [
            {
              file: 'update-stale-vs-time.svg',
              title: 'Stale responses vs time since the update',
              caption: `Fraction of each burst's responses that came from an instance with the old configuration, against the burst's mean time since the update's first request (Wilson 95 % intervals).${scale}`,
              spec: intervalChart({ title: 'Stale responses after an update', xTitle: 'time since the update (s)', yTitle: 'fraction stale', points }),
            },
          ],
          sections: [
            {
              title: 'Stale responses per burst',
              body: mdTable(
                ['burst', 'time since update (s)', 'responses', 'stale'],
                rows.map((r) => [ctx.index.burst(r.burst)!.id, fmt(r.since), r.n, r.stale]),
              ),
            },
          ],
          notes,
        };
      },
    };
  },
  margins: {
    'update.staleResponses': ratioMargin(0.5, 'the count moves with timing to the second; the conclusion rests on whether stale responses occur (0 against some, which this margin tells apart) and for how long'),
    'update.staleFraction': absoluteMargin(0.05, 'one response in twenty'),
    'update.staleWindowSeconds': ratioMargin(0.25, 'how long stale instances linger; a quarter does not change the picture of a platform'),
  },
};
