/**
 * CPU quotas through the cgroup v1 `cpu` controller (CFS bandwidth control):
 *
 *   /sys/fs/cgroup/cpu/curtain-<pid>-<tag>/            one per platform
 *       <host>/           quota = host vCPUs × host CPU factor
 *           <instance>/   quota = the instance's vCPU share of its memory (never above its host's)
 *       <host>-<instance>/   a microVM's instance: no host level, the smaller of both quotas
 *
 * cgroup v1 refuses a child quota above its parent's, hence the clamp. When
 * the controller is missing or not writable (not root, cgroup v2 only, a
 * read-only mount) `openCpuCgroups` says why and the platform runs without
 * quotas; run.json (`local.cpuQuota`) and the summary carry the reason.
 */
import { existsSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const CGROUP_V1_CPU = '/sys/fs/cgroup/cpu';
const PERIOD_US = 100_000;
/** The kernel's minimum CFS quota. */
const MIN_QUOTA_US = 1000;

export interface CpuThrottling {
  periods: number;
  throttledPeriods: number;
  throttledMs: number;
}

export interface CpuQuotaStatus {
  applied: boolean;
  reason: string | null;
}

export class CpuCgroups {
  private readonly hostQuotas = new Map<string, number>();
  private readonly flatHosts = new Set<string>();

  constructor(readonly root: string) {}

  /**
   * Creates a host's cgroup with its quota (vCPUs) and returns its path; with `flat`, records the
   * host's quota only: a host that only ever runs one instance (a microVM) needs no level of its
   * own, its instance's cgroup sits at the root with the smaller of both quotas.
   */
  async createHost(hostId: string, vcpus: number, flat = false): Promise<string> {
    const quota = quotaUs(vcpus);
    this.hostQuotas.set(hostId, quota);
    if (flat) {
      this.flatHosts.add(hostId);
      return this.root;
    }
    const dir = path.join(this.root, hostId);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'cpu.cfs_quota_us'), String(quota));
    return dir;
  }

  /**
   * Creates an instance's cgroup under its host and returns the quota it is meant to have
   * (`vcpus` null: only the host's quota applies). With `deferQuota` the quota is not written
   * yet (`applyQuota` does it later): the process can join the cgroup while it initialises,
   * at full speed, and the quota is one fast write once it is ready.
   */
  async createInstance(hostId: string, instanceId: string, vcpus: number | null, deferQuota = false): Promise<{ path: string; quotaUs: number | null }> {
    const flat = this.flatHosts.has(hostId);
    const dir = flat ? path.join(this.root, `${hostId}-${instanceId}`) : path.join(this.root, hostId, instanceId);
    await mkdir(dir, { recursive: true });
    const hostQuota = this.hostQuotas.get(hostId) ?? Number.POSITIVE_INFINITY;
    // Without a host level of its own, the instance also carries its host's limit.
    if (vcpus === null && !flat) return { path: dir, quotaUs: null };
    const quota = Math.min(vcpus === null ? Number.POSITIVE_INFINITY : quotaUs(vcpus), hostQuota);
    if (!Number.isFinite(quota)) return { path: dir, quotaUs: null };
    if (!deferQuota) await this.applyQuota(dir, quota);
    return { path: dir, quotaUs: quota };
  }

  async applyQuota(cgroupPath: string, quota: number): Promise<void> {
    await writeFile(path.join(cgroupPath, 'cpu.cfs_quota_us'), String(quota));
  }

  /** Moves a process (all its threads) into a cgroup. */
  async assign(cgroupPath: string, pid: number): Promise<void> {
    await writeFile(path.join(cgroupPath, 'cgroup.procs'), String(pid));
  }

  /** CFS bandwidth statistics of a cgroup: evidence that its quota was enforced. */
  async throttling(cgroupPath: string): Promise<CpuThrottling | null> {
    try {
      const text = await readFile(path.join(cgroupPath, 'cpu.stat'), 'utf8');
      const value = (key: string) => Number(new RegExp(`^${key} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
      return { periods: value('nr_periods'), throttledPeriods: value('nr_throttled'), throttledMs: value('throttled_time') / 1e6 };
    } catch {
      return null;
    }
  }

  /** Removes an instance's cgroup once its process has exited (a cgroup with tasks cannot be removed). */
  async removeInstance(cgroupPath: string): Promise<void> {
    await rmdir(cgroupPath).catch(() => undefined);
  }

  /** Removes every cgroup of this platform (instances first); leftovers of live tasks are kept. */
  close(): void {
    removeTree(this.root);
  }
}

export function quotaUs(vcpus: number): number {
  return Math.max(MIN_QUOTA_US, Math.round(vcpus * PERIOD_US));
}

/**
 * Opens this platform's cgroup root, or explains why CPU quotas cannot be applied.
 * Also removes empty roots left behind by platforms whose process died.
 */
export async function openCpuCgroups(
  parent: string = CGROUP_V1_CPU,
): Promise<{ cgroups: CpuCgroups; status: CpuQuotaStatus } | { cgroups: null; status: CpuQuotaStatus }> {
  if (process.platform !== 'linux') return unavailable(`CPU quotas need Linux cgroups; this is ${process.platform}`);
  if (!existsSync(path.join(parent, 'cpu.cfs_quota_us'))) {
    const v2 = existsSync('/sys/fs/cgroup/cgroup.controllers');
    return unavailable(
      v2
        ? `no cgroup v1 cpu controller at ${parent} (this machine uses cgroup v2, which the local platform does not drive yet)`
        : `no cgroup v1 cpu controller at ${parent}`,
    );
  }
  removeStaleRoots(parent);
  const root = path.join(parent, `curtain-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  try {
    await mkdir(root);
    await writeFile(path.join(root, 'cpu.cfs_quota_us'), '-1');
  } catch (error) {
    removeTree(root);
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return unavailable(`cannot create a cgroup under ${parent} (${code}${code === 'EACCES' || code === 'EROFS' || code === 'EPERM' ? ': run as root on a writable cgroup v1 mount' : ''})`);
  }
  return { cgroups: new CpuCgroups(root), status: { applied: true, reason: null } };
}

function unavailable(reason: string): { cgroups: null; status: CpuQuotaStatus } {
  return { cgroups: null, status: { applied: false, reason } };
}

/** Roots named curtain-<pid>-* whose platform process no longer exists (under any controller's mount). */
export function removeStaleRoots(parent: string): void {
  let entries: string[] = [];
  try {
    entries = readdirSync(parent);
  } catch {
    return;
  }
  for (const name of entries) {
    const match = /^curtain-(\d+)-[a-z0-9]+$/.exec(name);
    if (!match || processAlive(Number(match[1]))) continue;
    removeTree(path.join(parent, name));
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** rmdir depth-first; cgroup directories hold only control files, which rmdir removes with them. */
export function removeTree(dir: string): void {
  let entries: string[] = [];
  try {
    entries = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return;
  }
  for (const child of entries) removeTree(path.join(dir, child));
  try {
    rmdirSync(dir);
  } catch {
    // Still has tasks (a process that has not exited yet): leave it; the next platform cleans it up.
  }
}

/** Whether a cgroup still has tasks (used by tests to check cleanup). */
export function cgroupTasks(dir: string): number[] {
  try {
    return readFileSync(path.join(dir, 'cgroup.procs'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}
