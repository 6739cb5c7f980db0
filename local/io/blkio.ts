/**
 * Per-host disk bandwidth through the cgroup v1 `blkio` controller:
 *
 *   /sys/fs/cgroup/blkio/curtain-<pid>-<tag>/      one per platform
 *       <host>/   blkio.throttle.{write,read}_{bps,iops}_device = the host's MB/s and operations/s,
 *                 on the disk that holds the instances' files
 *
 * Every instance process of a host joins the host's group itself: v1 throttles are not
 * hierarchical (a child group is not held to its parent's limit; checked on this machine's
 * 6.18 kernel with dd, 2026-12), so only a group shared by the host's instances makes them
 * share its bandwidth, while instances on other hosts draw on their own.
 *
 * The throttle charges a write to the group of the process that submits it. With cgroup v1
 * that is only true of direct and synchronous I/O: buffered writes reach the disk later
 * through writeback, in the flusher's context. The probe's io task therefore writes with
 * O_DSYNC (as the paper's own dd did: `oflag=dsync conv=fdatasync`) and its covert-channel
 * task with O_DIRECT, so every write they make is charged to their host. Where the blkio controller is missing, not writable, or the scratch
 * directory has no block device (tmpfs, overlay), `openIoCgroups` says why and the platform
 * runs without per-host I/O limits.
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { removeStaleRoots, removeTree } from '../cpu/cgroup-cpu';

export const CGROUP_V1_BLKIO = '/sys/fs/cgroup/blkio';
const MB = 1024 * 1024;

export interface HostIoLimits {
  mbPerSecond: number | null;
  iops: number | null;
}

export interface IoLimitStatus {
  applied: boolean;
  reason: string | null;
}

export class IoCgroups {
  constructor(
    readonly root: string,
    /** `major:minor` of the whole disk that holds the instances' files. */
    readonly device: string,
  ) {}

  /** Creates a host's group with its limits (each for writes and reads; null: none) and returns its path. */
  async createHost(hostId: string, limits: HostIoLimits): Promise<string> {
    const dir = path.join(this.root, hostId);
    await mkdir(dir, { recursive: true });
    const rules: [string, number | null][] = [
      ['bps', limits.mbPerSecond === null ? null : Math.max(1, Math.round(limits.mbPerSecond * MB))],
      ['iops', limits.iops === null ? null : Math.max(1, Math.round(limits.iops))],
    ];
    for (const [unit, value] of rules) {
      if (value === null) continue;
      for (const direction of ['write', 'read']) await writeFile(path.join(dir, `blkio.throttle.${direction}_${unit}_device`), `${this.device} ${value}`);
    }
    return dir;
  }

  /** Moves a process (all its threads) into a group. */
  async assign(groupPath: string, pid: number): Promise<void> {
    await writeFile(procsFile(groupPath), String(pid));
  }

  /** Removes every group of this platform; a group that still has tasks is left for the next platform to clean up. */
  close(): void {
    removeTree(this.root);
  }
}

export function procsFile(groupPath: string): string {
  return path.join(groupPath, 'cgroup.procs');
}

/**
 * Opens this platform's blkio root for the disk that holds `scratchDir`, or explains why per-host
 * I/O bandwidth cannot be applied. `rootName` is the platform's cgroup name (the same in every
 * controller), so that one reaper finds all of a dead platform's groups.
 */
export async function openIoCgroups(
  scratchDir: string,
  rootName: string,
  parent: string = CGROUP_V1_BLKIO,
): Promise<{ cgroups: IoCgroups; status: IoLimitStatus } | { cgroups: null; status: IoLimitStatus }> {
  if (process.platform !== 'linux') return unavailable(`per-host I/O bandwidth needs Linux cgroups; this is ${process.platform}`);
  if (!existsSync(path.join(parent, 'blkio.throttle.write_bps_device'))) {
    const v2 = existsSync('/sys/fs/cgroup/cgroup.controllers');
    return unavailable(
      v2
        ? `no cgroup v1 blkio controller at ${parent} (this machine uses cgroup v2, which the local platform does not drive yet)`
        : `no cgroup v1 blkio controller at ${parent}`,
    );
  }
  const disk = wholeDiskOf(scratchDir);
  if ('reason' in disk) return unavailable(disk.reason);
  removeStaleRoots(parent);
  const root = path.join(parent, rootName);
  try {
    await mkdir(root);
    // Probe the device once: the kernel refuses devices it cannot throttle (EINVAL/ENODEV).
    await writeFile(path.join(root, 'blkio.throttle.write_bps_device'), `${disk.device} 0`);
  } catch (error) {
    removeTree(root);
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    const hint =
      code === 'EACCES' || code === 'EROFS' || code === 'EPERM'
        ? ': run as root on a writable cgroup v1 mount'
        : code === 'EINVAL' || code === 'ENODEV'
          ? `: the kernel cannot throttle device ${disk.device}`
          : '';
    return unavailable(`cannot create a blkio group under ${parent} (${code}${hint})`);
  }
  return { cgroups: new IoCgroups(root, disk.device), status: { applied: true, reason: null } };
}

/** `major:minor` of the whole disk behind a directory (the throttle is set on disks, not partitions). */
export function wholeDiskOf(dir: string, sysDevBlock = '/sys/dev/block'): { device: string } | { reason: string } {
  let dev: number;
  try {
    dev = statSync(dir).dev;
  } catch (error) {
    return { reason: `cannot stat the scratch directory ${dir} (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  const { major, minor } = splitDev(dev);
  const node = path.join(sysDevBlock, `${major}:${minor}`);
  if (major === 0 || !existsSync(node)) {
    return { reason: `the scratch directory ${dir} is on a filesystem without a block device (device ${major}:${minor}, e.g. tmpfs or overlay), which a blkio throttle cannot limit` };
  }
  if (!existsSync(path.join(node, 'partition'))) return { device: `${major}:${minor}` };
  try {
    // /sys/dev/block/M:m links to .../block/<disk>/<partition>; the disk's own `dev` is one level up.
    const diskDev = readFileSync(path.join(path.dirname(realpathSync(node)), 'dev'), 'utf8').trim();
    return /^\d+:\d+$/.test(diskDev) ? { device: diskDev } : { reason: `cannot read the disk of partition ${major}:${minor}` };
  } catch {
    return { reason: `cannot find the disk of partition ${major}:${minor}` };
  }
}

/** Linux `dev_t` → major and minor (glibc's gnu_dev_major and gnu_dev_minor). */
export function splitDev(dev: number): { major: number; minor: number } {
  const d = BigInt(dev);
  const major = ((d >> 8n) & 0xfffn) | ((d >> 32n) & ~0xfffn);
  const minor = (d & 0xffn) | ((d >> 12n) & ~0xffn);
  return { major: Number(major & 0xffffffffn), minor: Number(minor & 0xffffffffn) };
}

function unavailable(reason: string): { cgroups: null; status: IoLimitStatus } {
  return { cgroups: null, status: { applied: false, reason } };
}
