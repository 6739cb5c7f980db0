/**
 * Can this machine hold a plan on the local platform? Every instance is a real
 * process, so a study that asks a cloud for hundreds of concurrent instances
 * asks this machine for hundreds of processes and gigabytes of memory. Before
 * anything starts, the plan's demand is estimated and compared with what the
 * machine (or the memory cgroup curtain runs in) has available; a plan that
 * does not fit is refused with the `--set` values of the study that would fit.
 *
 * The estimate is an upper bound of instances alive at once: each function's
 * peak demand (the most requests a burst addresses to it at once, within the
 * profile's per-function limit), doubled for a function whose burst comes
 * within the stale window of a lazy update (old instances still live), all
 * assumed alive together; plus the drivers of the widest burst, curtain and its
 * watchdog.
 */
import { readFileSync } from 'node:fs';
import { CATALOG } from '../../experiments/catalog';
import { peakDemand, peakShards } from '../../experiments/plan-queries';
import type { StudyPlan } from '../../experiments/plan-schema';
import type { PlatformProfile } from '../profiles';
import { planLocalRun } from './run-local-study';

/**
 * Resident memory measured on these machines with ps (Node 20, Python 3.11, 2026-12-06): an idle
 * Node probe instance 39 MB, a Python one 15 MB, a driver process 52 MB before it sends, `curtain
 * run` itself about 150 MB and its watchdog 71 MB; rounded up.
 */
export const RESIDENT_MB = { nodejs: 40, python: 16, driver: 55, curtain: 160, watchdog: 75 } as const;
/** File descriptors `curtain run` holds per instance (its stdin, stdout and stderr pipes). */
const FDS_PER_INSTANCE = 3;
/** Memory left for everything else on the machine. */
const HEADROOM = 0.85;

export interface MachineDemand {
  instances: number;
  drivers: number;
  memoryMb: number;
  fileDescriptors: number;
}

export interface MachineCapacity {
  memoryMb: number;
  /** Where the memory figure comes from (MemAvailable, or the memory cgroup's limit). */
  memorySource: string;
  fileDescriptors: number | null;
}

export function estimateDemand(plan: StudyPlan, profile: PlatformProfile): MachineDemand {
  const perFunctionCap = profile.scaling.maxInstancesPerFunction ?? Number.POSITIVE_INFINITY;
  const { mode, staleWindowSeconds } = profile.lifecycle.update;
  let instances = 0;
  let memoryMb = 0;
  for (const fn of plan.functions) {
    const overlap = mode === 'lazy' && burstWithinStaleWindow(plan, fn.key, staleWindowSeconds);
    const peak = Math.min(peakDemand(plan, fn.key), perFunctionCap) * (overlap ? 2 : 1);
    instances += peak;
    memoryMb += peak * RESIDENT_MB[fn.runtime];
  }
  const drivers = peakShards(plan);
  const concurrency = Math.max(1, ...plan.steps.map((s) => (s.kind === 'burst' ? s.concurrency : 1)));
  return {
    instances,
    drivers,
    memoryMb: Math.round(memoryMb + drivers * RESIDENT_MB.driver + RESIDENT_MB.curtain + RESIDENT_MB.watchdog),
    fileDescriptors: instances * FDS_PER_INSTANCE + concurrency + 200,
  };
}

/** Whether a burst addresses the function less than `window` seconds (plan time) after one of its updates. */
function burstWithinStaleWindow(plan: StudyPlan, functionKey: string, window: number): boolean {
  let sinceUpdate: number | null = null;
  for (const step of plan.steps) {
    if (step.kind === 'update' && step.function === functionKey) sinceUpdate = 0;
    else if (step.kind === 'wait' && sinceUpdate !== null) sinceUpdate += step.seconds;
    else if (step.kind === 'burst' && sinceUpdate !== null && step.targets.includes(functionKey)) {
      if (sinceUpdate < window) return true;
      sinceUpdate = null;
    }
  }
  return false;
}

export function machineCapacity(): MachineCapacity {
  const meminfo = readText('/proc/meminfo');
  const availableKb = Number(/^MemAvailable:\s+(\d+)/m.exec(meminfo ?? '')?.[1] ?? Number.NaN);
  let memoryMb = Number.isFinite(availableKb) ? availableKb / 1024 : 4096;
  let memorySource = Number.isFinite(availableKb) ? 'available memory (MemAvailable)' : 'an assumed 4 GB (no /proc/meminfo)';
  const cgroup = memoryCgroupRoom();
  if (cgroup && cgroup.roomMb < memoryMb) {
    memoryMb = cgroup.roomMb;
    memorySource = `the room left in curtain's memory cgroup ${cgroup.path}`;
  }
  const limits = readText('/proc/self/limits');
  const files = Number(/^Max open files\s+(\d+)/m.exec(limits ?? '')?.[1] ?? Number.NaN);
  return { memoryMb: Math.round(memoryMb), memorySource, fileDescriptors: Number.isFinite(files) ? files : null };
}

/** Why the demand does not fit the capacity, or null when it does. */
export function fitProblem(demand: MachineDemand, capacity: MachineCapacity): string | null {
  if (demand.memoryMb > capacity.memoryMb * HEADROOM) {
    return `needs about ${demand.memoryMb} MB (up to ${demand.instances} instance processes alive at once and ${demand.drivers} driver(s)), more than ${Math.round(HEADROOM * 100)} % of ${capacity.memorySource}, ${capacity.memoryMb} MB`;
  }
  if (capacity.fileDescriptors !== null && demand.fileDescriptors > capacity.fileDescriptors) {
    return `needs about ${demand.fileDescriptors} open files (up to ${demand.instances} instance processes), more than this process may open (${capacity.fileDescriptors}; raise it with ulimit -n)`;
  }
  return null;
}

/**
 * Null when the machine can hold the plan; otherwise a message naming what is short and, for a
 * catalog study, the largest values of its numeric parameters that would fit.
 */
export function checkMachineFits(
  plan: StudyPlan,
  profile: PlatformProfile,
  study: string,
  sets: Record<string, unknown>,
  capacity: MachineCapacity = machineCapacity(),
): string | null {
  const problem = fitProblem(estimateDemand(plan, profile), capacity);
  if (!problem) return null;
  const fits = (candidate: Record<string, unknown>): boolean => {
    try {
      return fitProblem(estimateDemand(planLocalRun({ study, sets: candidate }), profile), capacity) === null;
    } catch {
      return false;
    }
  };
  const suggestions = suggestSets(study, plan, sets, fits);
  const hint =
    suggestions.length > 0
      ? `; it fits with ${suggestions.map((s) => `--set ${s}`).join(' or ')}`
      : '; make its bursts smaller (fewer requests or less concurrency) or use a machine with more memory';
  return `this machine cannot hold study ${plan.study.id} on the local platform (profile ${profile.name}): it ${problem}${hint}`;
}

/** For a catalog study: each integer parameter lowered to the largest value that fits, keeping the others. */
function suggestSets(study: string, plan: StudyPlan, sets: Record<string, unknown>, fits: (candidate: Record<string, unknown>) => boolean): string[] {
  const catalog = CATALOG.find((s) => s.id === study);
  if (!catalog) return [];
  const suggestions: string[] = [];
  for (const [name, value] of Object.entries(plan.parameters)) {
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 1 || !(name in catalog.parameters.shape)) continue;
    // Binary search for the largest value below the current one that fits.
    let low = 1;
    let high = value - 1;
    let best: number | null = null;
    while (low <= high) {
      const mid = Math.floor((low + high) / 2);
      if (fits({ ...sets, [name]: mid })) {
        best = mid;
        low = mid + 1;
      } else high = mid - 1;
    }
    if (best !== null) suggestions.push(`${name}=${best}`);
    if (suggestions.length >= 3) break;
  }
  return suggestions;
}

/** The memory cgroup (v1) curtain runs in, when it has a limit: the room left under it. */
function memoryCgroupRoom(): { path: string; roomMb: number } | null {
  const line = (readText('/proc/self/cgroup') ?? '').split('\n').find((l) => /^\d+:([^:]*,)?memory(,[^:]*)?:/.test(l));
  if (!line) return null;
  const relative = line.slice(line.lastIndexOf(':') + 1);
  const dir = `/sys/fs/cgroup/memory${relative === '/' ? '' : relative}`;
  const limit = Number(readText(`${dir}/memory.limit_in_bytes`)?.trim());
  const usage = Number(readText(`${dir}/memory.usage_in_bytes`)?.trim());
  // An unlimited cgroup reports a limit near 2^63.
  if (!Number.isFinite(limit) || !Number.isFinite(usage) || limit > 2 ** 60) return null;
  return { path: dir, roomMb: Math.max(0, (limit - usage) / 1024 / 1024) };
}

function readText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}
