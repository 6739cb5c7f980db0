/**
 * E2: instance placement. Each burst step launches instances behind a barrier
 * so they coexist; per step, instances are grouped by inferred host and the
 * aggregate configured memory per host is summed. Bin-packing shows as hosts
 * filled towards a common ceiling: few hosts used compared with the minimum
 * the step's total memory needs at the largest aggregate seen on one host.
 */
import { stackedBarChart } from '../figures/charts';
import { fmt, mdTable } from '../format';
import { type Metric, notMeasurable } from '../metrics';
import { medianSorted, sortedCopy } from '../stats/quantiles';
import { type AnalysisDefinition, hostsUnusable } from './analysis';
import { StepInstances } from './step-hosts';
import { absoluteMargin, exactMargin, ratioMargin } from '../margins';

/** Hosts used per step at most this many times the minimum needed counts as packing. */
export const PACKED_HOST_RATIO = 1.5;

export const placementAnalysis: AnalysisDefinition = {
  kind: 'placement',
  description: 'instances and aggregate instance memory per inferred host, per launch step (bin-packing evidence)',
  create(ctx) {
    const steps = new StepInstances();
    return {
      add(record, instance) {
        if (instance) steps.add(record.step, instance);
      },
      finish() {
        const hosts = ctx.hosts();
        const names = {
          max: ['placement.maxHostMemoryMb', 'most aggregate instance memory seen on one host at once', 'MB'],
          packed: ['placement.binPacked', 'whether instances are packed onto as few hosts as their memory allows', ''],
          ratio: ['placement.hostsPerMinimum', 'median over steps of hosts used / minimum hosts needed at the observed ceiling', '×'],
          perHost: ['placement.maxInstancesPerHost', 'most instances seen on one host at once', 'instances'],
        } as const;
        const unusable = hostsUnusable(hosts);
        if (unusable) {
          return {
            metrics: Object.values(names).map(([n, d, u]) => notMeasurable(n, d, u, unusable)),
            figures: [],
            sections: [],
            notes: [`Placement is not measurable: ${unusable}.`],
          };
        }
        const { cells, unassigned } = steps.cells(hosts);
        const ceiling = Math.max(...cells.map((c) => c.memoryMb));
        const perStep = steps.steps().map((step) => {
          const own = cells.filter((c) => c.step === step);
          const total = own.reduce((sum, c) => sum + c.memoryMb, 0);
          const minimum = Math.max(1, Math.ceil(total / ceiling));
          const instances = own.reduce((sum, c) => sum + c.instances.length, 0);
          return { step, hosts: own.length, instances, total, minimum, ratio: own.length / minimum, fullest: Math.max(...own.map((c) => c.memoryMb)) };
        });
        const ratio = medianSorted(sortedCopy(perStep.map((s) => s.ratio)));
        const maxInstances = Math.max(...cells.map((c) => c.instances.length));
        const sharedCells = cells.filter((c) => c.instances.length >= 2).length;
        const metrics: Metric[] = [
          { name: names.max[0], description: names.max[1], unit: names.max[2], value: ceiling, interval: null, method: `observed maximum over ${cells.length} (step, host) cells`, n: cells.length },
          { name: names.ratio[0], description: names.ratio[1], unit: names.ratio[2], value: ratio, interval: null, method: `median over ${perStep.length} steps`, n: perStep.length },
          { name: names.perHost[0], description: names.perHost[1], unit: names.perHost[2], value: maxInstances, interval: null, method: `observed maximum over ${cells.length} cells`, n: cells.length },
        ];
        const instancesSeen = perStep.reduce((sum, s) => sum + s.instances, 0);
        if (instancesSeen < 2 || perStep.every((s) => s.instances < 2)) {
          metrics.push(notMeasurable(names.packed[0], names.packed[1], names.packed[2], 'no step launched more than one instance'));
        } else {
          metrics.push({
            name: names.packed[0],
            description: names.packed[1],
            unit: names.packed[2],
            value: ratio <= PACKED_HOST_RATIO && sharedCells > 0,
            interval: null,
            method: `packed when hosts used ≤ ${PACKED_HOST_RATIO}× the minimum (median ${fmt(ratio)}×) and some host carries ≥ 2 instances (${sharedCells} of ${cells.length} cells)`,
            n: perStep.length,
          });
        }
        const fullestStep = [...perStep].sort((a, b) => b.total - a.total)[0]!;
        const segments = cells
          .filter((c) => c.step === fullestStep.step)
          .sort((a, b) => b.memoryMb - a.memoryMb)
          .flatMap((c) => c.instances.map((i) => ({ category: c.host.id, value: i.memoryMb, segment: `${i.memoryMb} MB` })));
        const stepId = (step: number) => ctx.index.burst(step)?.id ?? String(step);
        const notes = unassigned > 0 ? [`${unassigned} instance sightings had no inferred host and are left out of the per-host sums.`] : [];
        return {
          metrics,
          figures: [
            {
              file: 'placement-memory-per-host.svg',
              title: 'Aggregate instance memory per host',
              caption: `Instances on each inferred host during step ${stepId(fullestStep.step)} (the step with the most memory launched), stacked by configured memory; the dashed line is the largest aggregate seen on one host in the run (${fmt(ceiling)} MB).`,
              spec: stackedBarChart({ title: `Memory per host, step ${stepId(fullestStep.step)}`, xTitle: 'inferred host', yTitle: 'aggregate instance memory (MB)', segments, ruleY: { value: ceiling, label: `largest on one host in the run: ${fmt(ceiling)} MB` }, segmentTitle: 'instance memory' }),
            },
          ],
          sections: [
            {
              title: 'Hosts per launch step',
              body: mdTable(
                ['step', 'instances', 'hosts', 'total memory (MB)', 'minimum hosts', 'hosts / minimum', 'fullest host (MB)'],
                perStep.map((s) => [stepId(s.step), s.instances, s.hosts, fmt(s.total), s.minimum, fmt(s.ratio), fmt(s.fullest)]),
              ),
            },
          ],
          notes,
        };
      },
    };
  },
  margins: {
    'placement.maxHostMemoryMb': ratioMargin(0.1, 'a platform\'s host size is fixed (3,328 MB on 2018 Lambda); 10 % apart is another host type (the claim allows ±10 %)'),
    'placement.hostsPerMinimum': absoluteMargin((PACKED_HOST_RATIO - 1) / 2, 'half the distance from perfect packing (1) to the bin-packing threshold (PACKED_HOST_RATIO)'),
    'placement.binPacked': exactMargin('a yes/no answer'),
    'placement.maxInstancesPerHost': ratioMargin(0.25, 'an observed extreme that moves with which memory sizes happened to meet on one host'),
  },
};
