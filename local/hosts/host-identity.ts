/**
 * The identity of one emulated host: what its proc and sys trees say about it.
 * Each host differs in exactly the signals a probe reads on a cloud (boot time,
 * CPU model and count, memory, kernel, hostname, private IP, cgroup root,
 * hypervisor ids), so the analysis has to infer hosts the same way it does there.
 */
import type { HostType, PlatformProfile } from '../profiles';
import type { Random } from '../random';

export interface HostIdentity {
  /** Platform id, e.g. `h007`: ground truth only, never shown to a probe. */
  id: string;
  type: string;
  /** The tenant a dedicated host belongs to; null on shared hosts. */
  tenant: string | null;
  /** Aggregate instance memory the host accepts, MB. */
  capacityMb: number;
  cpuModel: string;
  cpus: number;
  memTotalMb: number;
  kernel: string;
  /** Epoch seconds. */
  bootTime: number;
  hostname: string;
  privateIp: string;
  /** `sandbox-root-XXXXXX` of 2018 Lambda, shared by the host's instances; null in other cgroup styles. */
  sandboxRoot: string | null;
  hypervisorUuid: string | null;
  dmiProductUuid: string | null;
  /** Injected slow-host fault. */
  slow: boolean;
  /** CPU quota factor from the host type and the slow-host fault. */
  cpuFactor: number;
  /** I/O bandwidth factor of the host type. */
  ioFactor: number;
}

export interface HostIdentityRequest {
  index: number;
  tenant: string | null;
  capacityMb: number;
  nowMs: number;
  slow: boolean;
  slowCpuFactor: number;
}

/** Keeps generated boot times and addresses unique within a platform. */
export class HostIdentityFactory {
  private readonly bootTimes: number[] = [];
  private readonly ips = new Set<string>();

  constructor(
    private readonly profile: PlatformProfile,
    private readonly random: Random,
  ) {}

  create(request: HostIdentityRequest): HostIdentity {
    const type: HostType = this.random.weighted(this.profile.hostTypes);
    const identity = this.profile.identity;
    const privateIp = this.uniqueIp();
    const [, b, c, d] = privateIp.split('.');
    const hostname =
      identity.hostname === 'ip'
        ? `ip-${privateIp.replace(/\./g, '-')}`
        : identity.hostname === 'link-local'
          ? `169.254.${Number(c) % 256}.${(Number(b) + Number(d)) % 254 + 1}`
          : this.random.hex(12);
    return {
      id: `h${String(request.index).padStart(3, '0')}`,
      type: type.name,
      tenant: request.tenant,
      capacityMb: request.capacityMb,
      cpuModel: type.cpuModel,
      cpus: type.cpus,
      memTotalMb: Math.max(type.memTotalMb, request.capacityMb),
      kernel: type.kernel,
      bootTime: this.bootTime(request.nowMs),
      hostname,
      privateIp,
      sandboxRoot: identity.cgroup === 'sandbox-root' ? `sandbox-root-${this.random.alnum(6)}` : null,
      hypervisorUuid: identity.hypervisorUuid ? `ec2${this.uuid().slice(3)}` : null,
      dmiProductUuid: identity.dmiProductUuid ? this.uuid().toUpperCase() : null,
      slow: request.slow,
      cpuFactor: type.cpuFactor * (request.slow ? request.slowCpuFactor : 1),
      ioFactor: type.ioFactor,
    };
  }

  /**
   * A microVM boots with its instance; a VM booted some hours before it was first used.
   * VM boot times are kept a minute apart so `btime` alone separates hosts, as on a cloud.
   */
  private bootTime(nowMs: number): number {
    const nowS = Math.floor(nowMs / 1000);
    if (this.profile.placement.policy === 'microvm') return nowS;
    for (;;) {
      const candidate = nowS - Math.round(this.random.between(this.profile.identity.hostAgeHours) * 3600) - 60;
      if (this.bootTimes.every((t) => Math.abs(t - candidate) >= 60)) {
        this.bootTimes.push(candidate);
        return candidate;
      }
    }
  }

  private uniqueIp(): string {
    for (;;) {
      const ip = `10.${this.random.int(0, 255)}.${this.random.int(0, 255)}.${this.random.int(4, 250)}`;
      if (!this.ips.has(ip)) {
        this.ips.add(ip);
        return ip;
      }
    }
  }

  private uuid(): string {
    const h = this.random.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
}

/** The cgroup lines one instance sees in <proc>/self/cgroup; `instanceTag` is 64 random hex digits. */
export function instanceCgroupLines(style: PlatformProfile['identity']['cgroup'], host: HostIdentity, instanceTag: string): string[] {
  switch (style) {
    case 'sandbox-root': {
      // 2018 Lambda: the root part is shared by every instance on the VM [C].
      const path = `/${host.sandboxRoot}/sandbox-${instanceTag.slice(0, 6)}`;
      return ['10:pids', '9:perf_event', '8:memory', '7:hugetlb', '6:freezer', '5:devices', '4:cpuset', '3:cpu,cpuacct', '2:blkio', '1:name=systemd'].map(
        (c) => `${c}:${path}`,
      );
    }
    case 'docker': {
      const path = `/docker/${instanceTag}`;
      return ['12:memory', '11:cpu,cpuacct', '10:pids', '9:blkio', '1:name=systemd'].map((c) => `${c}:${path}`);
    }
    case 'v2':
      return ['0::/'];
  }
}
