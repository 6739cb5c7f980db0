/**
 * Host inference: which function instances share a (micro)VM, from the
 * fingerprints their probes report. The method (documented in docs/analysis.md):
 *
 * 1. Hardware class (CPU model, vCPU count, memory total, kernel) splits: two
 *    instances with different classes are never on one host.
 * 2. Boot time (`btime`, whole seconds) is clustered within a class: a cluster
 *    spans at most `bootTimeToleranceSeconds` (btime is derived from the clock
 *    and uptime and jitters by a second).
 * 3. Each id signal (sandbox-root, hypervisor UUID, DMI UUID, hostname, private IP)
 *    is checked against the boot-time clusters before it is trusted: a value
 *    seen on instances of different classes or boot clusters is not a host id in
 *    this run; a signal that differs between instances sharing a boot time is an
 *    instance id; hostname/IP unique to every instance with no boot time to
 *    cross-check cannot tell instances from hosts.
 * 4. Instances are grouped by the first trusted strong id; the others by boot
 *    cluster (split by a trusted hostname/IP), and a boot cluster holding exactly
 *    one strong-id host joins it. Instances with no usable signal stay unassigned,
 *    and analyses that need hosts say so.
 */
import type { HostFingerprint } from '../../probe-runtime/contracts/probe-wire';
import { atCgroupRoot, hardwareClass, type HostSignal, idSignal, type IdSignal, STRONG_SIGNALS, WEAK_SIGNALS } from './host-signals';
import type { InstanceInfo, InstanceTable } from './instance-table';

export const DEFAULT_BOOT_TIME_TOLERANCE_SECONDS = 1;

export interface InferredHost {
  /** h1, h2, … in order of first appearance. */
  id: string;
  instances: InstanceInfo[];
  /** The signal that grouped it. */
  signal: HostSignal;
  fingerprint: HostFingerprint;
}

export interface SignalAssessment {
  signal: HostSignal;
  /** Instances that reported it. */
  present: number;
  used: boolean;
  note: string;
}

export interface HostInference {
  hosts: InferredHost[];
  hostOf: Map<string, InferredHost>;
  instances: number;
  assigned: number;
  signals: SignalAssessment[];
  toleranceSeconds: number;
}

interface Unit {
  info: InstanceInfo;
  fp: HostFingerprint;
  hwClass: string;
  bootCluster: string | null;
  ids: Record<IdSignal, string | null>;
}

export function inferHosts(table: InstanceTable, options: { bootTimeToleranceSeconds?: number } = {}): HostInference {
  const tolerance = options.bootTimeToleranceSeconds ?? DEFAULT_BOOT_TIME_TOLERANCE_SECONDS;
  const units: Unit[] = table
    .all()
    .sort((a, b) => a.firstSentAt - b.firstSentAt || a.id.localeCompare(b.id))
    .map((info) => {
      const fp = table.fingerprintOf(info);
      const ids = {} as Record<IdSignal, string | null>;
      for (const s of [...STRONG_SIGNALS, ...WEAK_SIGNALS]) ids[s] = idSignal(fp, s);
      return { info, fp, hwClass: hardwareClass(fp), bootCluster: null, ids };
    });
  const bootPresent = assignBootClusters(units, tolerance);
  const signals: SignalAssessment[] = [
    {
      signal: 'boot-time',
      present: bootPresent,
      used: bootPresent > 0,
      note: bootPresent > 0 ? `clustered within ${tolerance} s per hardware class` : 'not reported',
    },
  ];
  const trusted = new Set<IdSignal>();
  for (const s of [...STRONG_SIGNALS, ...WEAK_SIGNALS]) {
    const assessment = assessIdSignal(units, s, tolerance);
    signals.push(assessment);
    if (assessment.used) trusted.add(s);
  }

  const groups = groupUnits(units, trusted);
  const hosts: InferredHost[] = groups.map((g, i) => ({
    id: `h${i + 1}`,
    instances: g.units.map((u) => u.info),
    signal: g.signal,
    fingerprint: g.units[0]!.fp,
  }));
  const hostOf = new Map<string, InferredHost>();
  for (const h of hosts) for (const inst of h.instances) hostOf.set(inst.id, h);
  return { hosts, hostOf, instances: units.length, assigned: hostOf.size, signals, toleranceSeconds: tolerance };
}

/** Sets each unit's boot cluster; returns how many units reported a boot time. */
function assignBootClusters(units: Unit[], tolerance: number): number {
  const byClass = new Map<string, Unit[]>();
  let present = 0;
  for (const u of units) {
    if (u.fp.bootTime === null) continue;
    present += 1;
    const list = byClass.get(u.hwClass) ?? [];
    list.push(u);
    byClass.set(u.hwClass, list);
  }
  for (const [hwClass, list] of byClass) {
    list.sort((a, b) => a.fp.bootTime! - b.fp.bootTime!);
    let clusterStart = Number.NEGATIVE_INFINITY;
    let clusterIndex = -1;
    for (const u of list) {
      if (u.fp.bootTime! - clusterStart > tolerance) {
        clusterStart = u.fp.bootTime!;
        clusterIndex += 1;
      }
      u.bootCluster = `${hwClass}#${clusterIndex}`;
    }
  }
  return present;
}

function assessIdSignal(units: Unit[], signal: IdSignal, tolerance: number): SignalAssessment {
  const withValue = units.filter((u) => u.ids[signal] !== null);
  const present = withValue.length;
  if (present === 0) return { signal, present, used: false, note: 'not reported' };

  // A host id never spans two hardware classes or boot times further apart than the jitter allows.
  const spans = new Map<string, { classes: Set<string>; minBoot: number; maxBoot: number }>();
  for (const u of withValue) {
    const value = u.ids[signal]!;
    const span = spans.get(value) ?? { classes: new Set<string>(), minBoot: Infinity, maxBoot: -Infinity };
    span.classes.add(u.hwClass);
    if (u.fp.bootTime !== null) {
      span.minBoot = Math.min(span.minBoot, u.fp.bootTime);
      span.maxBoot = Math.max(span.maxBoot, u.fp.bootTime);
    }
    spans.set(value, span);
  }
  const contradicted = [...spans.values()].filter((s) => s.classes.size > 1 || s.maxBoot - s.minBoot > 2 * tolerance).length;
  if (contradicted > 0) {
    return {
      signal,
      present,
      used: false,
      note: `${contradicted} value(s) appear on instances with different boot times or hardware: not a host id in this run`,
    };
  }

  // Instances that share a boot cluster should (almost always) share a host id, unless each
  // instance has a (micro)VM of its own and several booted in the same second.
  const valuesByCluster = new Map<string, { values: Set<string>; instances: number }>();
  for (const u of withValue) {
    if (!u.bootCluster) continue;
    const entry = valuesByCluster.get(u.bootCluster) ?? { values: new Set<string>(), instances: 0 };
    entry.values.add(u.ids[signal]!);
    entry.instances += 1;
    valuesByCluster.set(u.bootCluster, entry);
  }
  const shared = [...valuesByCluster.values()].filter((c) => c.instances >= 2);
  const onePerInstance = spans.size === present && present > 1;
  const ownKernels = withValue.every((u) => atCgroupRoot(u.fp));
  if (shared.length > 0 && shared.filter((c) => c.values.size === 1).length / shared.length < 0.5) {
    if (onePerInstance && ownKernels) {
      return { signal, present, used: true, note: `one value per instance and each instance alone at the root of its cgroup tree: one (micro)VM per instance, several booted in the same second` };
    }
    return { signal, present, used: false, note: 'differs between instances with the same boot time: an instance id, not a host id' };
  }
  const weak = (WEAK_SIGNALS as readonly string[]).includes(signal);
  if (shared.length === 0 && weak && onePerInstance && withValue.every((u) => !u.bootCluster) && !ownKernels) {
    return { signal, present, used: false, note: 'unique to every instance and no boot time to cross-check: cannot tell instances from hosts' };
  }
  return { signal, present, used: true, note: `${spans.size} distinct value(s), consistent with boot times and hardware` };
}

interface Group {
  key: string;
  units: Unit[];
  signal: HostSignal;
}

function groupUnits(units: Unit[], trusted: Set<IdSignal>): Group[] {
  const groups = new Map<string, Group>();
  const add = (key: string, u: Unit, signal: HostSignal) => {
    const g = groups.get(key);
    if (g) g.units.push(u);
    else groups.set(key, { key, units: [u], signal });
  };
  const strongSignal = (u: Unit) => STRONG_SIGNALS.find((s) => trusted.has(s) && u.ids[s] !== null);
  const weakSignal = (u: Unit) => WEAK_SIGNALS.find((s) => trusted.has(s) && u.ids[s] !== null);

  // Boot clusters occupied by exactly one strong-id host: instances of the cluster without a strong id join it.
  const strongKeysByCluster = new Map<string, Set<string>>();
  for (const u of units) {
    const s = strongSignal(u);
    if (!s || !u.bootCluster) continue;
    const keys = strongKeysByCluster.get(u.bootCluster) ?? new Set<string>();
    keys.add(`${s}:${u.ids[s]}`);
    strongKeysByCluster.set(u.bootCluster, keys);
  }

  for (const u of units) {
    const strong = strongSignal(u);
    if (strong) {
      add(`${strong}:${u.ids[strong]}`, u, strong);
      continue;
    }
    const weak = weakSignal(u);
    if (u.bootCluster) {
      const strongKeys = strongKeysByCluster.get(u.bootCluster);
      if (strongKeys?.size === 1) {
        const [key] = [...strongKeys];
        add(key!, u, key!.slice(0, key!.indexOf(':')) as HostSignal);
      } else {
        add(`boot:${u.bootCluster}${weak ? `:${weak}:${u.ids[weak]}` : ''}`, u, 'boot-time');
      }
      continue;
    }
    if (weak) add(`${weak}:${u.ids[weak]}`, u, weak);
  }
  // Map insertion order follows the units' first appearance, so host ids do too.
  return [...groups.values()];
}
