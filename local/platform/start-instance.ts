/**
 * Starting one instance's process on its host: its private /tmp, its proc root
 * (the host's trees plus its own cgroup lines), its CPU cgroup and its host's
 * blkio group, the spawn, and the wait for the shim's `ready`.
 *
 * Two paths, as the profile says (`cpu.unthrottledInit`):
 * - initialisation at full speed (the fast path): the proc root and the cgroup
 *   need no pid to exist, so both are prepared while the process starts; moving
 *   the process into its groups can take ~15 ms (the kernel waits for an RCU
 *   grace period), so that too happens while it initialises, and the quota
 *   itself is written (one fast write) once the instance is ready;
 * - initialisation under the quota: the cgroup is created with its quota first
 *   and the process starts inside it (`startInCgroups`), so the runtime's whole
 *   start-up is throttled, as Google's cold starts by memory size suggest.
 * The CFS statistics of the instance's cgroup when it says ready are kept
 * (`initThrottling`): evidence of which path it took.
 */
import { mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { vcpuMapping } from '../../experiments/capabilities';
import type { PlanFunction } from '../../experiments/plan-schema';
import { startInCgroups } from '../cgroups/start-in-cgroups';
import { type CpuCgroups, quotaUs } from '../cpu/cgroup-cpu';
import { instanceCgroupLines } from '../hosts/host-identity';
import { hostTreePaths, instanceProcRoot, writeInstanceProcRoot } from '../hosts/proc-tree';
import { InstanceProcess } from '../instances/instance-process';
import { type IoCgroups, procsFile } from '../io/blkio';
import type { RuntimeCommands } from '../instances/runtime-commands';
import type { PlatformProfile } from '../profiles';
import type { Random } from '../random';
import type { Instance } from './instance';

export interface StartContext {
  profile: PlatformProfile;
  workDir: string;
  runtimes: RuntimeCommands;
  cgroups: CpuCgroups | null;
  /** Per-host disk bandwidth groups, when applied. */
  io?: IoCgroups | null;
  random: Random;
  readyTimeoutMs: number;
}

/** The configuration an instance starts with (its function's, when it was started). */
export interface InstanceConfig {
  key: string;
  runtime: PlanFunction['runtime'];
  memoryMb: number;
  env: Record<string, string>;
}

/**
 * Starts the process and resolves once it is ready with its quota in place. `onSpawned` runs as
 * soon as the process exists (the platform watches its exit and may inject a start failure).
 */
export async function startInstanceProcess(
  ctx: StartContext,
  instance: Instance,
  config: InstanceConfig,
  onSpawned: (proc: InstanceProcess) => void,
): Promise<InstanceProcess> {
  const { profile, workDir, cgroups } = ctx;
  const runtime = ctx.runtimes[config.runtime];
  if (!runtime) throw new Error(`no command to start ${config.runtime} instances on this machine`);
  const dir = path.join(workDir, 'instances', instance.id);
  const tmp = path.join(dir, 'tmp');
  const roots = hostTreePaths(workDir, instance.host.identity.id);
  // Synchronously: the probe writes its /tmp marker at start-up, and a queued async mkdir
  // (behind other instances' file work in libuv's thread pool) would delay every cold start.
  mkdirSync(tmp, { recursive: true });

  const cgroupLines = instanceCgroupLines(profile.identity.cgroup, instance.host.identity, ctx.random.hex(64));
  const throttledInit = !profile.cpu.unthrottledInit;
  const prepared = (async () => {
    const host = await instance.host.ready;
    await writeInstanceProcRoot(dir, host.procRoot, cgroupLines);
    if (cgroups && host.cgroup) {
      const vcpus = vcpusForMemory(profile, config.memoryMb);
      const { coresPerVcpu } = profile.cpu;
      const created = await cgroups.createInstance(
        instance.host.identity.id,
        instance.id,
        vcpus === null ? null : vcpus * instance.host.identity.cpuFactor * coresPerVcpu,
        !throttledInit,
      );
      instance.cgroupPath = created.path;
      instance.cpuQuotaCores = created.quotaUs === null ? null : created.quotaUs / 100_000;
      instance.cpuQuotaVcpus = instance.cpuQuotaCores === null ? null : instance.cpuQuotaCores / coresPerVcpu;
    }
    return host.ioGroup;
  })();
  prepared.catch(() => undefined);

  const groups = (ioGroup: string | null) => [instance.cgroupPath, ioGroup].filter((g): g is string => g !== null);
  // Under the quota from the first instruction: the groups must exist before the process does.
  const inside = throttledInit ? groups(await prepared) : [];
  instance.initUnderQuota = throttledInit && instance.cgroupPath !== null;
  const proc = InstanceProcess.spawn(
    {
      ...startInCgroups(runtime, inside.map(procsFile)),
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        LANG: 'C.UTF-8',
        HOME: tmp,
        TMPDIR: tmp,
        ...config.env,
        CURTAIN_PROC_ROOT: instanceProcRoot(dir),
        CURTAIN_SYS_ROOT: roots.sysRoot,
        CURTAIN_TMP_DIR: tmp,
        CURTAIN_MEMORY_MB: String(config.memoryMb),
        CURTAIN_LOCAL_INSTANCE_ID: instance.id,
        CURTAIN_LOCAL_FUNCTION: config.key,
      },
    },
    ctx.readyTimeoutMs,
  );
  onSpawned(proc);
  // The fast path joins its groups while the process initialises.
  const attached = throttledInit
    ? Promise.resolve()
    : prepared.then((ioGroup) => Promise.all(groups(ioGroup).map((g) => writeFile(procsFile(g), String(proc.pid)).catch(() => undefined))));
  try {
    await Promise.all([proc.ready, attached]);
  } catch (error) {
    proc.killNow();
    throw error;
  }
  if (instance.cgroupPath && cgroups) {
    const initStats = cgroups.throttling(instance.cgroupPath);
    const deferred = !throttledInit && instance.cpuQuotaCores !== null ? cgroups.applyQuota(instance.cgroupPath, quotaUs(instance.cpuQuotaCores)).catch(() => undefined) : undefined;
    instance.initThrottling = await initStats;
    await deferred;
  }
  return proc;
}

/** The vCPUs an instance of this memory gets on the profile's platform; null for no per-instance quota. */
export function vcpusForMemory(profile: PlatformProfile, memoryMb: number): number | null {
  const model = profile.cpu.vcpuForMemory;
  return model === 'none' ? null : vcpuMapping(model)!(memoryMb);
}
