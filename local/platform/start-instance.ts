/**
 * Starting one instance's process on its host: its private /tmp, its proc root
 * (the host's trees plus its own cgroup lines), its CPU cgroup, the spawn, and
 * the wait for the shim's `ready`.
 *
 * The proc root is read at the first request, not at start-up, and the cgroup
 * needs no pid to exist: both are prepared while the process starts. Moving a
 * process into a cgroup can take ~15 ms (the kernel waits for an RCU grace
 * period), so that too happens while the process initialises; where the profile
 * lets initialisation run unthrottled, the quota itself is written (one fast
 * write) once the instance is ready.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { vcpuMapping } from '../../experiments/capabilities';
import type { PlanFunction } from '../../experiments/plan-schema';
import type { CpuCgroups } from '../cpu/cgroup-cpu';
import { instanceCgroupLines } from '../hosts/host-identity';
import { hostTreePaths, instanceProcRoot, writeInstanceProcRoot } from '../hosts/proc-tree';
import { InstanceProcess } from '../instances/instance-process';
import type { RuntimeCommands } from '../instances/runtime-commands';
import type { PlatformProfile } from '../profiles';
import type { Random } from '../random';
import type { Instance } from './instance';

export interface StartContext {
  profile: PlatformProfile;
  workDir: string;
  runtimes: RuntimeCommands;
  cgroups: CpuCgroups | null;
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
  const prepared = (async () => {
    const host = await instance.host.ready;
    await writeInstanceProcRoot(dir, host.procRoot, cgroupLines);
    if (cgroups && host.cgroup) {
      const vcpus = vcpusForMemory(profile, config.memoryMb);
      const created = await cgroups.createInstance(
        instance.host.identity.id,
        instance.id,
        vcpus === null ? null : vcpus * instance.host.identity.cpuFactor,
        profile.cpu.unthrottledInit,
      );
      instance.cgroupPath = created.path;
      instance.cpuQuotaVcpus = created.quotaUs === null ? null : created.quotaUs / 100_000;
    }
  })();
  prepared.catch(() => undefined);

  const proc = InstanceProcess.spawn(
    {
      command: runtime.command,
      args: runtime.args,
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
  const attached = prepared.then(() => (instance.cgroupPath ? cgroups!.assign(instance.cgroupPath, proc.pid).catch(() => undefined) : undefined));
  try {
    await Promise.all([proc.ready, attached]);
  } catch (error) {
    proc.killNow();
    throw error;
  }
  if (profile.cpu.unthrottledInit && instance.cgroupPath && instance.cpuQuotaVcpus !== null) {
    await cgroups!.applyQuota(instance.cgroupPath, Math.round(instance.cpuQuotaVcpus * 100_000)).catch(() => undefined);
  }
  return proc;
}

/** The vCPUs an instance of this memory gets on the profile's platform; null for no per-instance quota. */
export function vcpusForMemory(profile: PlatformProfile, memoryMb: number): number | null {
  const model = profile.cpu.vcpuForMemory;
  return model === 'none' ? null : vcpuMapping(model)!(memoryMb);
}
