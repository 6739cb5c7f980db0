import { InstanceTable } from '../../analysis/hosts/instance-table';
import { inferHosts } from '../../analysis/hosts/infer-hosts';
import { PlanIndex } from '../../analysis/run/plan-index';
import type { HostFingerprint } from '../../probe-runtime/contracts/probe-wire';
import { catalogPlan, type HostOptions, type SyntheticHost, SyntheticRun } from './synthetic/synthetic-run';

/**
 * Places instances on hosts (the truth), runs host inference on their records and
 * returns, per true host, the inferred host ids of its instances.
 */
function infer(layout: { host: HostOptions; instances: number; fingerprint?: (i: number) => Partial<HostFingerprint>; perInstanceCgroup?: boolean }[]) {
  const plan = catalogPlan('isolation', 'aws', { functionsPerTenant: 5, instancesPerFunction: 20, rounds: 1 });
  const run = new SyntheticRun(plan);
  const step = run.burst('launch');
  const table = new InstanceTable(new PlanIndex(plan));
  let request = 0;
  const truth: { host: SyntheticHost; ids: string[] }[] = layout.map((l) => {
    const host = run.host(l.host);
    const ids = Array.from({ length: l.instances }, (_, i) => {
      const instance = run.instance(host, { fingerprint: l.fingerprint?.(i), perInstanceCgroup: l.perInstanceCgroup });
      table.add(run.record(step, request++, { instance }));
      return instance.id;
    });
    return { host, ids };
  });
  const inference = inferHosts(table);
  const groups = truth.map((t) => t.ids.map((id) => inference.hostOf.get(id)?.id ?? null));
  return { inference, groups };
}

/** True when each true host maps to exactly one inferred host and no two true hosts share one. */
function exact(groups: (string | null)[][]): boolean {
  const seen = new Set<string>();
  return groups.every((g) => {
    const ids = new Set(g);
    if (ids.size !== 1 || ids.has(null)) return false;
    const [id] = [...ids] as string[];
    if (seen.has(id!)) return false;
    seen.add(id!);
    return true;
  });
}

describe('host inference', () => {
  test('2018 Lambda: the sandbox-root cgroup names the VM', () => {
    const { inference, groups } = infer([
      { host: {}, instances: 3 },
      { host: {}, instances: 1 },
      { host: {}, instances: 4 },
    ]);
    expect(exact(groups)).toBe(true);
    expect(inference.hosts.map((h) => h.signal)).toEqual(['sandbox-root', 'sandbox-root', 'sandbox-root']);
  });

  test('containers: boot time (with a second of jitter) groups them; per-container hostnames are recognised as instance ids', () => {
    const { inference, groups } = infer(
      [0, 1, 2].map((h) => ({
        host: { cgroupStyle: 'docker' as const, bootTime: 1_764_000_000 + h * 600, hypervisorUuid: null },
        instances: 4,
        perInstanceCgroup: true,
        fingerprint: (i: number) => ({ bootTime: 1_764_000_000 + h * 600 + (i % 2), hostname: `c${h}x${i}`, privateIp: `172.17.0.${i + 2}` }),
      })),
    );
    expect(exact(groups)).toBe(true);
    const notes = Object.fromEntries(inference.signals.map((s) => [s.signal, s]));
    expect(notes.hostname!.used).toBe(false);
    expect(notes.hostname!.note).toMatch(/instance id/);
    expect(notes['private-ip']!.used).toBe(false); // 172.17.0.x repeats on every host
  });

  test('instances whose cgroup could not be read join the sandbox-root host of their boot time', () => {
    const { groups } = infer([
      { host: {}, instances: 3, fingerprint: (i) => (i === 0 ? { cgroup: null } : {}) },
      { host: {}, instances: 2 },
    ]);
    expect(exact(groups)).toBe(true);
  });

  test('an id shared by hosts that booted at different times is not trusted', () => {
    const { inference, groups } = infer([
      { host: { dmiProductUuid: 'SAME-UUID-ON-EVERY-HOST' }, instances: 2 },
      { host: { dmiProductUuid: 'SAME-UUID-ON-EVERY-HOST' }, instances: 2 },
    ]);
    expect(exact(groups)).toBe(true);
    const dmi = inference.signals.find((s) => s.signal === 'dmi-product-uuid')!;
    expect(dmi.used).toBe(false);
    expect(dmi.note).toMatch(/different boot times/);
  });

  test('two VMs booted in the same second are split by a hostname that is host-level elsewhere in the run', () => {
    const same = 1_764_123_456;
    const { groups } = infer([
      ...[0, 1, 2, 3].map((h) => ({ host: { cgroupStyle: 'none' as const, bootTime: 1_764_000_000 + h * 600 }, instances: 2 })),
      { host: { cgroupStyle: 'none', bootTime: same }, instances: 2 },
      { host: { cgroupStyle: 'none', bootTime: same }, instances: 3 },
    ]);
    expect(exact(groups)).toBe(true);
  });

  test('different hardware never shares a host, even with the same boot time', () => {
    const { groups } = infer([
      { host: { cgroupStyle: 'none', bootTime: 1_764_000_000, hostname: null, privateIp: null, cpuModel: 'A' }, instances: 2 },
      { host: { cgroupStyle: 'none', bootTime: 1_764_000_000, hostname: null, privateIp: null, cpuModel: 'B' }, instances: 2 },
    ]);
    expect(exact(groups)).toBe(true);
  });

  test('no usable signal: instances stay unassigned instead of being guessed', () => {
    const { inference, groups } = infer([{ host: { cgroupStyle: 'none', bootTime: null, hostname: null, privateIp: '169.254.76.1' }, instances: 3 }]);
    expect(groups[0]).toEqual([null, null, null]);
    expect(inference.assigned).toBe(0);
  });
});
