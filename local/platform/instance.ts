/** The platform's record of one function instance (its process, host, timers and history), and the ground truth of instances and hosts. */
import type { Runtime } from '../../experiments/schema';
import type { CpuThrottling } from '../cpu/cgroup-cpu';
import type { Host } from '../hosts/host-pool';
import type { GroundTruthHost, GroundTruthInstance } from '../ground-truth';
import type { InstanceProcess } from '../instances/instance-process';

export type InstanceState = 'starting' | 'idle' | 'busy' | 'dead';
export type EndReason = NonNullable<GroundTruthInstance['endReason']>;

export interface Instance {
  id: string;
  fn: string;
  tenant: string;
  runtime: Runtime;
  memoryMb: number;
  generation: string;
  host: Host;
  newHost: boolean;
  hostsWithRoom: number;
  state: InstanceState;
  /** Set when the instance must end as soon as its current request (or start) completes. */
  retiring: EndReason | null;
  process: InstanceProcess | null;
  cgroupPath: string | null;
  /** The quota in the profile's vCPUs, and in real cores (vCPUs × `cpu.coresPerVcpu`). */
  cpuQuotaVcpus: number | null;
  cpuQuotaCores: number | null;
  /** Whether the process started inside its CPU cgroup, under its own and its host's quota. */
  initUnderQuota: boolean;
  /** The cgroup's CFS statistics when the instance said ready, and when it ended. */
  initThrottling: CpuThrottling | null;
  cpuThrottling: CpuThrottling | null;
  idleTimeoutMs: number;
  maxLifetimeMs: number | null;
  idleTimer: NodeJS.Timeout | null;
  lifetimeTimer: NodeJS.Timeout | null;
  startedAt: number;
  readyAt: number | null;
  endedAt: number | null;
  endReason: EndReason | null;
  invocations: number;
  lastUsedAt: number;
  probeInstanceId: string | null;
  /** A start failure has been reported to a waiting request (once per instance). */
  startFailureReported: boolean;
}

export function instanceGroundTruth(i: Instance): GroundTruthInstance {
  return {
    id: i.id,
    probeInstanceId: i.probeInstanceId,
    function: i.fn,
    tenant: i.tenant,
    runtime: i.runtime,
    memoryMb: i.memoryMb,
    generation: i.generation,
    host: i.host.identity.id,
    newHost: i.newHost,
    hostsWithRoom: i.hostsWithRoom,
    pid: i.process?.pid ?? null,
    cpuQuotaVcpus: i.cpuQuotaVcpus,
    cpuQuotaCores: i.cpuQuotaCores,
    initUnderQuota: i.initUnderQuota,
    initThrottling: i.initThrottling,
    cpuThrottling: i.cpuThrottling,
    idleTimeoutMs: i.idleTimeoutMs,
    maxLifetimeMs: i.maxLifetimeMs,
    startedAt: i.startedAt,
    readyAt: i.readyAt,
    endedAt: i.endedAt,
    endReason: i.endReason,
    invocations: i.invocations,
  };
}

/** `cpuQuotaApplied`: whether the platform's CPU cgroups exist (else no host quota was in force). */
export function hostGroundTruth(h: Host, cpuQuotaApplied: boolean): GroundTruthHost {
  return {
    id: h.identity.id,
    type: h.identity.type,
    tenant: h.identity.tenant,
    tenantsSeen: [...h.tenantsSeen].sort(),
    capacityMb: h.identity.capacityMb,
    peakMemoryMb: h.peakMb,
    instances: h.placements,
    cpuModel: h.identity.cpuModel,
    cpus: h.identity.cpus,
    memTotalMb: h.identity.memTotalMb,
    kernel: h.identity.kernel,
    bootTime: h.identity.bootTime,
    hostname: h.identity.hostname,
    privateIp: h.identity.privateIp,
    sandboxRoot: h.identity.sandboxRoot,
    hypervisorUuid: h.identity.hypervisorUuid,
    dmiProductUuid: h.identity.dmiProductUuid,
    slow: h.identity.slow,
    cpuFactor: h.identity.cpuFactor,
    ioFactor: h.identity.ioFactor,
    debased: h.identity.cpuFactor < 1 || h.identity.ioFactor < 1,
    cpuQuotaCores: cpuQuotaApplied ? h.cores : null,
    ioMBps: h.ioMBps,
    ioIops: h.ioIops,
    instanceIds: [...h.placedIds],
    createdAt: h.createdAt,
    retiredAt: h.retiredAt,
  };
}
