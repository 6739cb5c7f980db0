/**
 * The emulated hosts of one platform: opened on demand by the placement
 * policy, each with its own proc/sys tree, and where available its CPU cgroup
 * (the host's quota, shared by its instances) and blkio group (its disk
 * bandwidth, shared by its instances). Memory is committed synchronously when
 * an instance is placed, so concurrent cold starts never overfill a host.
 */
import type { CpuCgroups } from '../cpu/cgroup-cpu';
import type { FaultOptions } from '../faults';
import type { IoCgroups } from '../io/blkio';
import type { PlatformProfile } from '../profiles';
import type { Random } from '../random';
import { HostIdentityFactory, type HostIdentity } from './host-identity';
import { choosePlacement } from './placement';
import { refreshHostClock, writeHostTree } from './proc-tree';

/** How often hosts' `stat` and `uptime` are rewritten while they carry instances. */
export const HOST_CLOCK_REFRESH_MS = 500;

export interface Host {
  identity: HostIdentity;
  seq: number;
  committedMb: number;
  peakMb: number;
  instances: Set<string>;
  tenantsSeen: Set<string>;
  /** Instances ever placed here (a host that has run none is "new": its first cold start may be delayed). */
  placements: number;
  /** Every instance ever placed here, in order (ground truth of co-residency). */
  placedIds: string[];
  createdAt: number;
  retiredAt: number | null;
  /** Real CPU cores the host's instances share (its vCPUs × type factor × cores per vCPU): its quota where cgroups apply. */
  cores: number;
  /** Disk bandwidth (MB/s) and operations (per s) its instances share; null when unlimited or not applied. */
  ioMBps: number | null;
  ioIops: number | null;
  /** Resolves once the proc/sys trees (and the CPU cgroup and blkio group) exist. */
  ready: Promise<{ procRoot: string; sysRoot: string; cgroup: string | null; ioGroup: string | null }>;
}

export interface Placement {
  host: Host;
  newHost: boolean;
  hostsWithRoom: number;
}

export class HostPool {
  private readonly hosts: Host[] = [];
  private readonly identities: HostIdentityFactory;
  private refreshTimer: NodeJS.Timeout | null = null;
  private refreshing = false;
  private occupiedCores = 0;
  /** Most real cores that hosts carrying instances had at once (machine oversubscription when above its cores). */
  peakOccupiedCores = 0;

  constructor(
    private readonly profile: PlatformProfile,
    private readonly workDir: string,
    private readonly random: Random,
    private readonly faults: FaultOptions,
    private readonly cgroups: CpuCgroups | null,
    private readonly io: IoCgroups | null = null,
  ) {
    this.identities = new HostIdentityFactory(profile, random);
  }

  all(): readonly Host[] {
    return this.hosts;
  }

  live(): Host[] {
    return this.hosts.filter((h) => h.retiredAt === null);
  }

  /** Chooses a host for an instance and commits its memory there. */
  place(instanceId: string, tenant: string, memoryMb: number): Placement {
    const { policy, tenancy, hostMemoryMb, poolSize } = this.profile.placement;
    const eligible = this.live().filter((h) => tenancy === 'shared' || h.identity.tenant === tenant);
    const decision = choosePlacement(
      policy,
      eligible.map((h) => ({ id: h.identity.id, freeMb: h.identity.capacityMb - h.committedMb, seq: h.seq })),
      memoryMb,
      poolSize,
      this.random,
    );
    let host = decision.hostId ? this.hosts.find((h) => h.identity.id === decision.hostId) : undefined;
    const newHost = !host;
    if (!host) {
      // An instance larger than a host gets a host of its own size (never silently overfilled).
      const capacityMb = policy === 'microvm' ? memoryMb : Math.max(hostMemoryMb, memoryMb);
      host = this.open(tenancy === 'dedicated' ? tenant : null, capacityMb);
    }
    host.committedMb += memoryMb;
    host.peakMb = Math.max(host.peakMb, host.committedMb);
    if (host.instances.size === 0) {
      this.occupiedCores += host.cores;
      this.peakOccupiedCores = Math.max(this.peakOccupiedCores, this.occupiedCores);
    }
    host.instances.add(instanceId);
    host.tenantsSeen.add(tenant);
    host.placements += 1;
    host.placedIds.push(instanceId);
    return { host, newHost, hostsWithRoom: decision.hostsWithRoom };
  }

  release(host: Host, instanceId: string, memoryMb: number): void {
    if (!host.instances.delete(instanceId)) return;
    host.committedMb -= memoryMb;
    if (host.instances.size === 0) this.occupiedCores -= host.cores;
    // A microVM exists for its one instance only.
    if (this.profile.placement.policy === 'microvm' && host.instances.size === 0) host.retiredAt = Date.now();
  }

  startClockRefresh(): void {
    if (this.refreshTimer) return;
    this.refreshTimer = setInterval(() => void this.refreshClocks(), HOST_CLOCK_REFRESH_MS);
    this.refreshTimer.unref();
  }

  stopClockRefresh(): void {
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    this.refreshTimer = null;
  }

  private async refreshClocks(): Promise<void> {
    if (this.refreshing) return;
    this.refreshing = true;
    try {
      const now = Date.now();
      await Promise.all(
        this.live()
          .filter((h) => h.instances.size > 0)
          .map(async (h) => {
            const { procRoot } = await h.ready;
            await refreshHostClock(procRoot, h.identity, now).catch(() => undefined);
          }),
      );
    } finally {
      this.refreshing = false;
    }
  }

  private open(tenant: string | null, capacityMb: number): Host {
    const seq = this.hosts.length + 1;
    const now = Date.now();
    const identity = this.identities.create({
      index: seq,
      tenant,
      capacityMb,
      nowMs: now,
      slow: this.random.chance(this.faults.slowHosts),
      slowCpuFactor: this.faults.slowHostCpuFactor,
    });
    const cores = identity.cpus * identity.cpuFactor * this.profile.cpu.coresPerVcpu;
    const { hostMBps, hostIops } = this.profile.io;
    const ioMBps = this.io && hostMBps !== null ? hostMBps * identity.ioFactor : null;
    const ioIops = this.io && hostIops !== null ? Math.max(1, Math.round(hostIops * identity.ioFactor)) : null;
    const ready = (async () => {
      const roots = await writeHostTree(this.workDir, identity, now);
      const flat = this.profile.placement.policy === 'microvm';
      const [cgroup, ioGroup] = await Promise.all([
        this.cgroups ? this.cgroups.createHost(identity.id, cores, flat) : null,
        this.io && (ioMBps !== null || ioIops !== null) ? this.io.createHost(identity.id, { mbPerSecond: ioMBps, iops: ioIops }) : null,
      ]);
      return { ...roots, cgroup, ioGroup };
    })();
    // Errors surface when an instance awaits `ready`; keep an unobserved rejection from crashing the process.
    ready.catch(() => undefined);
    const host: Host = {
      identity,
      seq,
      committedMb: 0,
      peakMb: 0,
      instances: new Set(),
      tenantsSeen: new Set(),
      placements: 0,
      placedIds: [],
      createdAt: now,
      retiredAt: null,
      cores,
      ioMBps,
      ioIops,
      ready,
    };
    this.hosts.push(host);
    return host;
  }
}
