/**
 * E3: scalability. For each burst step, the requested concurrency (the
 * step's requests, at most its concurrency limit) is compared with the
 * distinct instances that answered. Requests answered by an instance that had
 * already answered in the same step were queued behind another request.
 */
import { intervalChart } from '../figures/charts';
import { fmt, mdTable } from '../format';
import { type Metric, notMeasurable } from '../metrics';
import type { AnalysisDefinition } from './analysis';
import { absoluteMargin, ratioMargin } from '../margins';

interface StepTally {
  requested: number;
  instances: Set<string>;
  ok: number;
  throttled: number;
  failed: number;
}

export const scalabilityAnalysis: AnalysisDefinition = {
  kind: 'scalability',
  description: 'distinct concurrent instances vs requested concurrency per burst',
  create(ctx) {
    const tallies = new Map<number, StepTally>();
    return {
      add(record) {
        let tally = tallies.get(record.step);
        if (!tally) {
          const step = ctx.index.burst(record.step)!;
          tally = { requested: Math.min(step.requests, step.concurrency), instances: new Set(), ok: 0, throttled: 0, failed: 0 };
          tallies.set(record.step, tally);
        }
        if (record.status === 'ok' && record.response) {
          tally.ok += 1;
          tally.instances.add(record.response.instance.id);
        } else if (record.status === 'throttled') tally.throttled += 1;
        else tally.failed += 1;
      },
      finish() {
        const rows = [...tallies.entries()].sort(([a], [b]) => a - b).map(([step, t]) => ({ step, ...t, distinct: t.instances.size, queued: t.ok - t.instances.size }));
        const ratioName = 'scalability.instanceRatioAtMax';
        const ratioDescription = 'distinct instances per requested concurrent request at the highest concurrency level';
        const maxName = 'scalability.maxInstances';
        const maxDescription = 'most distinct instances that answered one burst';
        if (rows.length === 0) {
          return { metrics: [notMeasurable(ratioName, ratioDescription, 'instances per request', 'no records'), notMeasurable(maxName, maxDescription, 'instances', 'no records')], figures: [], sections: [], notes: [] };
        }
        const top = Math.max(...rows.map((r) => r.requested));
        const atTop = rows.filter((r) => r.requested === top);
        const distinctAtTop = atTop.reduce((s, r) => s + r.distinct, 0);
        const requestedAtTop = atTop.reduce((s, r) => s + r.requested, 0);
        const throttledAtTop = atTop.reduce((s, r) => s + r.throttled, 0);
        const metrics: Metric[] = [
          {
            name: ratioName,
            description: ratioDescription,
            unit: 'instances per request',
            value: distinctAtTop / requestedAtTop,
            interval: null,
            method: `observed: ${distinctAtTop} distinct instances for ${requestedAtTop} requests at concurrency ${top} (${atTop.length} burst${atTop.length > 1 ? 's' : ''})`,
            n: requestedAtTop,
          },
          { name: maxName, description: maxDescription, unit: 'instances', value: Math.max(...rows.map((r) => r.distinct)), interval: null, method: `observed maximum over ${rows.length} bursts`, n: rows.length },
          { name: 'scalability.throttledFractionAtMax', description: 'fraction of requests throttled at the highest concurrency level', unit: 'fraction', value: throttledAtTop / requestedAtTop, interval: null, method: 'observed', n: requestedAtTop },
        ];
        const points = rows.flatMap((r) => [
          { x: r.requested, y: r.distinct, series: 'distinct instances' },
          { x: r.requested, y: r.throttled, series: 'throttled requests' },
          { x: r.requested, y: r.queued, series: 'queued requests' },
        ]);
        return {
          metrics,
          figures: [
            {
              file: 'scalability-instances.svg',
              title: 'Distinct instances vs requested concurrency',
              caption: 'Distinct instances that answered each burst against the concurrency requested; the dashed line is one instance per request. Throttled and queued (served by an instance that already answered in the burst) requests are shown too.',
              spec: intervalChart({ title: 'Scaling', xTitle: 'requested concurrency', yTitle: 'count', points, identityLine: 'one instance per request', integerX: true, integerY: true }),
            },
          ],
          sections: [
            {
              title: 'Instances per burst',
              body: mdTable(
                ['step', 'requested', 'distinct instances', 'instances / request', 'queued', 'throttled', 'other failures'],
                rows.map((r) => [ctx.index.burst(r.step)!.id, r.requested, r.distinct, fmt(r.distinct / r.requested), r.queued, r.throttled, r.failed]),
              ),
            },
          ],
          notes: [],
        };
      },
    };
  },
  margins: {
    'scalability.instanceRatioAtMax': absoluteMargin(0.1, 'a tenth of an instance per request: the claims separate one per request (≥ 0.95) from about half (±0.15)'),
    'scalability.maxInstances': ratioMargin(0.1, 'a platform\'s concurrency ceiling; 10 % is one instance at the ceiling of about 10 the paper saw on Azure'),
    'scalability.throttledFractionAtMax': absoluteMargin(0.05, 'one request in twenty throttled at the top level'),
  },
};
