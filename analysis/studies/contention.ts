/**
 * E8: I/O and network contention. Bursts labelled `io` run the io task
 * (`mbPerSec`, probe-runtime/probe/tasks/io.ts) and bursts labelled `net` the
 * net task (`mbitPerSec`, tasks/net.ts). Each measurement is placed with the
 * number of instances that shared its inferred host in that burst (falling back
 * to the burst's concurrency when hosts cannot be inferred, which the report says).
 *
 * Slowdown: median throughput of instances alone on their host (at least
 * MIN_LONE_MEASUREMENTS of them, so the baseline is not one measurement) over the
 * worst throughput of an instance with co-residents. Debased VM types: hardware
 * classes whose median lone-or-lowest-level I/O throughput is below half the
 * best class's.
 */
import type { HostFingerprint } from '../../probe-runtime/contracts/probe-wire';
import { intervalChart } from '../figures/charts';
import { fmt, mdTable } from '../format';
import { hardwareClass } from '../hosts/host-signals';
import { type Metric, notMeasurable } from '../metrics';
import { wilsonInterval } from '../stats/proportion';
import { medianSorted, medianSummary, sortedCopy } from '../stats/quantiles';
import { type AnalysisDefinition, hostsUnusable } from './analysis';
import { StepInstances } from './step-hosts';
import { numericValue } from './task-values';
import { absoluteMargin, ratioMargin } from '../margins';

const KINDS = {
  io: { label: 'io', task: 'io', key: 'mbPerSec', unit: 'MB/s' },
  net: { label: 'net', task: 'net', key: 'mbitPerSec', unit: 'Mbit/s' },
} as const;
type Kind = keyof typeof KINDS;

/** A hardware class is debased when its median throughput is below this fraction of the best class's. */
export const DEBASED_FRACTION = 0.5;
/** Lone measurements a slowdown's baseline needs: one lone run is one draw of the machine's noise. */
export const MIN_LONE_MEASUREMENTS = 3;

interface Measurement {
  kind: Kind;
  step: number;
  instance: string;
  throughput: number;
}

export const contentionAnalysis: AnalysisDefinition = {
  kind: 'contention',
  description: 'I/O and network throughput vs the number of co-resident instances',
  create(ctx) {
    const measurements: Measurement[] = [];
    const steps = new StepInstances();
    const missing: Record<Kind, number> = { io: 0, net: 0 };
    return {
      add(record, instance) {
        if (!instance || !record.response) return;
        steps.add(record.step, instance);
        const kind = (Object.keys(KINDS) as Kind[]).find((k) => KINDS[k].label === record.label && KINDS[k].task === record.response!.task.name);
        if (!kind) return;
        const value = record.response.task.ok ? numericValue(record.response.task.values, KINDS[kind].key) : null;
        if (value === null) missing[kind] += 1;
        else measurements.push({ kind, step: record.step, instance: instance.id, throughput: value });
      },
      finish() {
        const hosts = ctx.hosts();
        const unusable = hostsUnusable(hosts);
        const coResidentsOf = unusable ? null : steps.coResidents(hosts);
        const level = (m: Measurement) => coResidentsOf?.(m.step, m.instance) ?? (unusable ? ctx.index.burst(m.step)!.requests : null);
        const levelled = measurements.map((m) => ({ ...m, level: level(m) })).filter((m): m is Measurement & { level: number } => m.level !== null);
        const metrics: Metric[] = [];
        const notes: string[] = [];
        if (unusable) notes.push(`Hosts could not be inferred (${unusable}); co-residency is approximated by the number of concurrent requests in the burst.`);
        for (const kind of Object.keys(missing) as Kind[]) if (missing[kind] > 0) notes.push(`${missing[kind]} ${kind} measurements had no numeric \`${KINDS[kind].key}\` (a failed task) and were left out.`);

        const slowdowns: { kind: Kind; value: number; baseline: number; worst: number; lone: number; shared: number }[] = [];
        const tooFewLone: string[] = [];
        for (const kind of Object.keys(KINDS) as Kind[]) {
          const own = levelled.filter((m) => m.kind === kind);
          const lone = own.filter((m) => m.level === 1).map((m) => m.throughput);
          const shared = own.filter((m) => m.level >= 2).map((m) => m.throughput);
          if (lone.length === 0 || shared.length === 0) continue;
          if (lone.length < MIN_LONE_MEASUREMENTS) {
            tooFewLone.push(`${kind}: ${lone.length}`);
            continue;
          }
          const baseline = medianSorted(sortedCopy(lone));
          const worst = Math.min(...shared);
          if (worst > 0) slowdowns.push({ kind, value: baseline / worst, baseline, worst, lone: lone.length, shared: shared.length });
        }
        const slowName = 'contention.maxSlowdown';
        const slowDescription = 'lone median throughput over the worst co-resident throughput (I/O or network, whichever is worse)';
        if (slowdowns.length === 0) {
          const reason =
            tooFewLone.length > 0
              ? `too few measurements alone on a host for a baseline (${tooFewLone.join(', ')}; at least ${MIN_LONE_MEASUREMENTS} needed)`
              : 'no measurements both alone on a host and with co-residents';
          metrics.push(notMeasurable(slowName, slowDescription, '×', reason));
        } else {
          const worst = slowdowns.reduce((a, b) => (b.value > a.value ? b : a));
          metrics.push({
            name: slowName,
            description: slowDescription,
            unit: '×',
            value: worst.value,
            interval: null,
            method: `observed extreme (${worst.kind}: median ${fmt(worst.baseline)} ${KINDS[worst.kind].unit} over ${worst.lone} lone measurements vs worst ${fmt(worst.worst)} of ${worst.shared} co-resident)`,
            n: worst.lone + worst.shared,
          });
          for (const s of slowdowns) {
            metrics.push({ name: `contention.${s.kind}Slowdown`, description: `lone median over worst co-resident ${s.kind} throughput`, unit: '×', value: s.value, interval: null, method: 'observed extreme', n: s.lone + s.shared });
          }
        }
        metrics.push(debasedMetric(levelled.filter((m) => m.kind === 'io'), (id) => fingerprintOf(ctx, id)));

        const figures = (Object.keys(KINDS) as Kind[])
          .filter((kind) => levelled.some((m) => m.kind === kind))
          .map((kind) => {
            const own = levelled.filter((m) => m.kind === kind);
            const levels = [...new Set(own.map((m) => m.level))].sort((a, b) => a - b);
            const points = levels.map((l) => {
              const s = medianSummary(sortedCopy(own.filter((m) => m.level === l).map((m) => m.throughput)));
              return { x: l, y: s.median, lower: s.lower, upper: s.upper, series: `median ${kind}`, n: own.filter((m) => m.level === l).length };
            });
            const minimum = levels.map((l) => ({ x: l, y: Math.min(...own.filter((m) => m.level === l).map((m) => m.throughput)), series: `worst ${kind}` }));
            return {
              file: `contention-${kind}.svg`,
              title: `${kind === 'io' ? 'Disk I/O' : 'Network'} throughput vs co-resident instances`,
              caption: `Median (with 95 % order-statistic interval) and worst ${KINDS[kind].unit} per number of instances sharing the host${unusable ? ' (approximated by the burst size)' : ''}.`,
              spec: intervalChart({ title: `${kind} throughput`, xTitle: unusable ? 'concurrent requests' : 'instances on the host', yTitle: KINDS[kind].unit, points: [...points, ...minimum], integerX: true }),
            };
          });
        const rows = (Object.keys(KINDS) as Kind[]).flatMap((kind) => {
          const own = levelled.filter((m) => m.kind === kind);
          return [...new Set(own.map((m) => m.level))]
            .sort((a, b) => a - b)
            .map((l) => {
              const values = sortedCopy(own.filter((m) => m.level === l).map((m) => m.throughput));
              return [kind, l, values.length, fmt(medianSorted(values)), fmt(values[0]!), KINDS[kind].unit];
            });
        });
        return {
          metrics,
          figures,
          sections: [{ title: 'Throughput by co-residency', body: rows.length ? mdTable(['kind', 'co-resident instances', 'measurements', 'median', 'worst', 'unit'], rows) : 'No throughput measurements.' }],
          notes,
        };
      },
    };
  },
  margins: {
    'contention.maxSlowdown': ratioMargin(0.25, 'an observed worst case; a quarter is a third of the ±75 % of the paper\'s 19× claim'),
    'contention.ioSlowdown': ratioMargin(0.25, 'as for the largest slowdown'),
    'contention.netSlowdown': ratioMargin(0.25, 'as for the largest slowdown'),
    'contention.debasedInstanceFraction': absoluteMargin(0.1, 'about a sixth of the 55 % the paper saw on Azure, within the claim\'s ±30 %'),
  },
};

function fingerprintOf(ctx: Parameters<AnalysisDefinition['create']>[0], instanceId: string): HostFingerprint | null {
  const instance = ctx.instances.get(instanceId);
  return instance ? ctx.instances.fingerprintOf(instance) : null;
}

/**
 * Fraction of instances on a hardware class whose I/O is below DEBASED_FRACTION of the best class's
 * (exported for tests). Classes are compared like with like: at each co-residency level measured on
 * at least two classes, so contention never passes for a slow VM type; a class is debased when it is
 * below the bound at most of the levels where it was compared. Instances of classes never compared
 * are left out.
 */
export function debasedMetric(io: readonly (Measurement & { level: number })[], fingerprint: (instanceId: string) => HostFingerprint | null): Metric {
  const name = 'contention.debasedInstanceFraction';
  const description = `fraction of instances on a VM type whose median I/O throughput is below ${DEBASED_FRACTION * 100} % of the best type's at the same co-residency`;
  if (io.length === 0) return notMeasurable(name, description, 'fraction', 'no I/O measurements');
  const classOf = new Map<string, string>();
  const byLevel = new Map<number, Map<string, number[]>>();
  for (const m of io) {
    const fp = fingerprint(m.instance);
    if (!fp) continue;
    const key = hardwareClass(fp);
    classOf.set(m.instance, key);
    const level = byLevel.get(m.level) ?? new Map<string, number[]>();
    level.set(key, [...(level.get(key) ?? []), m.throughput]);
    byLevel.set(m.level, level);
  }
  const votes = new Map<string, { below: number; compared: number }>();
  let levelsCompared = 0;
  for (const classes of byLevel.values()) {
    if (classes.size < 2) continue;
    levelsCompared += 1;
    const medians = [...classes.entries()].map(([key, values]) => [key, medianSorted(sortedCopy(values))] as const);
    const best = Math.max(...medians.map(([, m]) => m));
    for (const [key, median] of medians) {
      const vote = votes.get(key) ?? { below: 0, compared: 0 };
      vote.compared += 1;
      if (median < DEBASED_FRACTION * best) vote.below += 1;
      votes.set(key, vote);
    }
  }
  const classes = new Set(classOf.values());
  if (classes.size === 1) {
    return { name, description, unit: 'fraction', value: 0, interval: [0, wilsonInterval(0, classOf.size)!.upper], method: `all ${classOf.size} instances on one VM type (CPU model, vCPUs, memory, kernel); Wilson 95 % CI`, n: classOf.size };
  }
  if (votes.size === 0) return notMeasurable(name, description, 'fraction', `${classes.size} VM types, but never two of them at the same co-residency level`);
  const debased = new Set([...votes.entries()].filter(([, v]) => v.below * 2 > v.compared).map(([key]) => key));
  const compared = [...classOf.values()].filter((key) => votes.has(key));
  const onDebased = compared.filter((key) => debased.has(key)).length;
  const ci = wilsonInterval(onDebased, compared.length)!;
  const left = classOf.size - compared.length;
  return {
    name,
    description,
    unit: 'fraction',
    value: onDebased / compared.length,
    interval: [ci.lower, ci.upper],
    method: `${onDebased} of ${compared.length} instances on ${debased.size} of ${votes.size} VM types (CPU model, vCPUs, memory, kernel) compared at ${levelsCompared} co-residency level(s)${left > 0 ? `; ${left} instance(s) of VM types never compared left out` : ''}; Wilson 95 % CI`,
    n: compared.length,
  };
}
