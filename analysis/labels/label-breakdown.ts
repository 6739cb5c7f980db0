/**
 * Per-label metrics, for every study kind: the bursts a definition labels
 * (`ping-5m`, `after-idle`, `payload-64k`, ...) are what a researcher asks
 * about, so each label gets, from the ok records of its bursts:
 *
 *   label.<label>.coldFraction        requests served by a new instance (the probe's cold flag), Wilson 95 % CI
 *   label.<label>.latencyMedianMs     median driver round trip, order-statistic 95 % CI
 *   label.<label>.instances           distinct instances that served the label
 *   label.<label>.instancesPerBurst   median over the label's bursts of the distinct instances per burst
 *
 * and, when the plan has more than one tenant, `.tenant-<t>` variants of the
 * cold fraction and latency. Claims can name any of them (analysis/metric-catalog.ts).
 * Memory grows with labels, tenants and instances, not with records beyond one
 * number per latency sample.
 */
import { intervalChart } from '../figures/charts';
import { absoluteMargin, type Margin, type MetricMargins, ratioMargin } from '../margins';
import { fmt, fmtInterval, fmtPercent, mdTable } from '../format';
import type { InstanceInfo } from '../hosts/instance-table';
import { medianMetric, type Metric } from '../metrics';
import { NumericBuffer } from '../stats/numeric-buffer';
import { wilsonInterval } from '../stats/proportion';
import { medianSummary, sortedCopy } from '../stats/quantiles';
import type { AnalysisContext, AnalysisOutput, StudyAnalysis } from '../studies/analysis';

interface Tally {
  ok: number;
  cold: number;
  latencies: NumericBuffer;
  instances: Set<string>;
}

const tally = (): Tally => ({ ok: 0, cold: 0, latencies: new NumericBuffer(), instances: new Set() });

export function createLabelBreakdown(ctx: AnalysisContext): StudyAnalysis {
  const byLabel = new Map<string, Tally>();
  const byLabelTenant = new Map<string, Tally>();
  /** Distinct instances of each labelled burst step. */
  const perStep = new Map<number, { label: string; instances: Set<string> }>();
  const tenants = [...new Set(ctx.plan.functions.map((f) => f.tenant))].sort();
  const labels = [...new Set(ctx.plan.steps.flatMap((s) => (s.kind === 'burst' && s.label !== null ? [s.label] : [])))];
  const bursts = (label: string) => ctx.plan.steps.filter((s) => s.kind === 'burst' && s.label === label).length;

  return {
    add(record, instance: InstanceInfo | null) {
      const label = record.label;
      const response = record.response;
      if (label === null || record.status !== 'ok' || !response || record.latencyMs === null) return;
      const tenant = instance?.tenant ?? ctx.index.functions.get(record.target)?.tenant ?? '?';
      for (const [map, key] of [
        [byLabel, label],
        [byLabelTenant, `${label}|${tenant}`],
      ] as const) {
        let t = map.get(key);
        if (!t) map.set(key, (t = tally()));
        t.ok += 1;
        if (response.instance.cold) t.cold += 1;
        t.latencies.push(record.latencyMs);
        t.instances.add(response.instance.id);
      }
      let step = perStep.get(record.step);
      if (!step) perStep.set(record.step, (step = { label, instances: new Set() }));
      step.instances.add(response.instance.id);
    },

    finish(): AnalysisOutput {
      if (labels.length === 0) return { metrics: [], figures: [], sections: [], notes: [] };
      const metrics: Metric[] = [];
      const rows: (string | number)[][] = [];
      const points: { x: string; y: number; lower: number | null; upper: number | null; series: string }[] = [];
      for (const label of labels) {
        const t = byLabel.get(label) ?? tally();
        const cold = coldFraction(`label.${label}.coldFraction`, `fraction of ${label} requests served by a new (cold) instance`, t);
        const latency = medianMetric(`label.${label}.latencyMedianMs`, `median round-trip latency of ${label} requests`, 'ms', t.latencies.sorted(), `${label} requests`);
        const perBurst = sortedCopy([...perStep.values()].filter((s) => s.label === label).map((s) => s.instances.size));
        metrics.push(
          cold,
          latency,
          { name: `label.${label}.instances`, description: `distinct instances that served ${label} requests`, unit: 'instances', value: t.instances.size, interval: null, method: 'observed count of distinct instance ids', n: t.ok },
          medianMetric(`label.${label}.instancesPerBurst`, `distinct instances per ${label} burst (median over bursts)`, 'instances', perBurst, `${label} bursts`),
        );
        rows.push([label, '', bursts(label), t.ok, fractionText(cold), fmt(medianSummary(t.latencies.sorted()).median), fmtInterval(latency.interval), t.instances.size, perBurst.length > 0 ? fmt(medianSummary(perBurst).median) : '-']);
        if (cold.value !== null) points.push({ x: label, y: cold.value as number, lower: cold.interval?.[0] ?? null, upper: cold.interval?.[1] ?? null, series: 'all tenants' });
        if (tenants.length > 1) {
          for (const tenant of tenants) {
            const tt = byLabelTenant.get(`${label}|${tenant}`) ?? tally();
            const tc = coldFraction(`label.${label}.coldFraction.tenant-${tenant}`, `fraction of tenant ${tenant}'s ${label} requests served by a new instance`, tt);
            const tl = medianMetric(`label.${label}.latencyMedianMs.tenant-${tenant}`, `median round-trip latency of tenant ${tenant}'s ${label} requests`, 'ms', tt.latencies.sorted(), `${label} requests`);
            metrics.push(tc, tl);
            rows.push([label, tenant, '', tt.ok, fractionText(tc), tt.ok > 0 ? fmt(medianSummary(tt.latencies.sorted()).median) : '-', fmtInterval(tl.interval), tt.instances.size, '']);
            if (tc.value !== null) points.push({ x: label, y: tc.value as number, lower: tc.interval?.[0] ?? null, upper: tc.interval?.[1] ?? null, series: `tenant ${tenant}` });
          }
        }
      }
      const table = mdTable(
        ['label', 'tenant', 'bursts', 'ok requests', 'cold fraction (95 % CI)', 'median latency (ms)', '95 % CI (ms)', 'distinct instances', 'instances per burst (median)'],
        rows,
      );
      return {
        metrics,
        figures: [
          {
            file: 'labels-cold-fraction.svg',
            title: 'Cold fraction per burst label',
            caption: 'Fraction of each label\'s ok requests served by a new instance, with Wilson 95 % intervals.',
            spec: intervalChart({ title: 'Requests served by a new instance, per label', xTitle: 'burst label', yTitle: 'cold fraction', xType: 'ordinal', points }),
          },
        ],
        sections: [
          {
            title: 'Per burst label',
            body: `${table}\n\nA request is cold when the probe reports its instance's first invocation. Metric names: \`label.<label>.coldFraction\`, \`.latencyMedianMs\`, \`.instances\`, \`.instancesPerBurst\`${tenants.length > 1 ? ', and `.tenant-<t>` variants of the first two' : ''}.`,
          },
        ],
        notes: [],
      };
    },
  };
}

function coldFraction(name: string, description: string, t: Tally): Metric {
  const ci = wilsonInterval(t.cold, t.ok);
  if (!ci) return { name, description, unit: 'fraction', value: null, interval: null, method: 'not measurable', n: 0, reason: 'no ok request with this label' };
  return {
    name,
    description,
    unit: 'fraction',
    value: t.cold / t.ok,
    interval: [ci.lower, ci.upper],
    method: `${t.cold} of ${t.ok} ok requests on a new instance; Wilson 95 % CI`,
    n: t.ok,
  };
}

function fractionText(m: Metric): string {
  return m.value === null ? '-' : `${fmtPercent(m.value as number)} (${m.interval ? `${fmtPercent(m.interval[0])}–${fmtPercent(m.interval[1])}` : '-'})`;
}

/** Practical margins of the per-label metrics (by the part of the name after the label). */
const LABEL_MARGINS: Record<string, Margin> = {
  coldFraction: absoluteMargin(0.1, 'a tenth of the requests: a smaller change leaves "these pings keep it warm (or not)" as it was'),
  latencyMedianMs: ratioMargin(0.25, 'latency medians move with load and placement from run to run; as for coldstart\'s medians'),
  instances: ratioMargin(0.25, 'instance counts follow the platform\'s scaling and recycling, which vary between runs'),
  instancesPerBurst: ratioMargin(0.25, 'as for the distinct instances of the label'),
};

/** Margins for the per-label metrics among `names` (the `.tenant-<t>` variants are covered by their parent). */
export function labelMargins(names: readonly string[]): MetricMargins {
  const margins: Record<string, Margin> = {};
  for (const name of names) {
    const match = /^(label\.[a-z][a-z0-9-]*)\.([A-Za-z]+)$/.exec(name);
    const margin = match ? LABEL_MARGINS[match[2]!] : undefined;
    if (margin) margins[name] = margin;
  }
  return margins;
}
